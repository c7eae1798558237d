import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildNewDeps",
  upstream: UP.onbuild,
  note: "alpine's /etc/alpine-release is replaced by the base image's /etc/passwd (upstream only checks its length > 5).",
  prebuild: [
    { dockerfile: "\nFROM {{busybox}}\nONBUILD COPY --from={{busybox}} /etc/passwd /out/alpine-release2\n" },
    {
      dockerfile:
        "\nFROM {{busybox}}\nONBUILD RUN --mount=type=bind,target=/in,from=inputstage mkdir /out && cat /in/foo > /out/bar && cat /in/out/alpine-release2 > /out/bar2\n",
    },
  ],
  dockerfile: `
	FROM {{prebuilt0}} AS inputstage
	RUN cat /out/alpine-release2 > /out/alpine-release4
	RUN echo -n foo > /foo
	FROM {{prebuilt1}} AS base
	RUN echo -n bar3 > /out/bar3
	FROM scratch
	COPY --from=base /out /
	`,
  expect: {
    files: {
      "/bar": { content: "foo" },
      "/bar2": { contentMatches: /^[\s\S]{6,}$/ },
      "/bar3": { content: "bar3" },
    },
  },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 cannot use a stage named by an ONBUILD RUN --mount from= (the trigger's RUN fails)",
  },
} satisfies BuildkitCase;
