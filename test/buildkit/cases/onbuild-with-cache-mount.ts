import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildWithCacheMount",
  upstream: UP.onbuild,
  prebuild: [
    {
      dockerfile:
        "\nFROM {{busybox}}\nONBUILD RUN --mount=type=cache,target=/cache echo -n 42 >> /cache/foo && echo -n 11 >> /bar\n",
    },
  ],
  dockerfile: `FROM {{prebuilt}}
RUN --mount=type=cache,target=/cache [ "$(cat /cache/foo)" = "42" ] && [ "$(cat /bar)" = "11" ]
	`,
  expect: { files: { "/bar": { content: "11" } } },
} satisfies BuildkitCase;
