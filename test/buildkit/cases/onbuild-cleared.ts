import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildCleared",
  upstream: UP.onbuild,
  prebuild: [
    { dockerfile: "\nFROM {{busybox}}\nONBUILD RUN mkdir -p /out && echo -n 11 >> /out/foo\n" },
    { dockerfile: "\n\tFROM {{prebuilt0}} \n\t" },
  ],
  dockerfile: `
	FROM {{prebuilt1}} AS base
	FROM scratch
	COPY --from=base /out /
	`,
  expect: { files: { "/foo": { content: "11" } } },
} satisfies BuildkitCase;
