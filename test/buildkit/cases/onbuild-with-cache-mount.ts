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
  compareIgnore: {
    fields: ["rootfs:/cache"],
    reason:
      "upstream and 20.10 disagree: 20.10 leaves the RUN --mount target directory in the image; upstream removes mount stubs (testSecretFileParams asserts no stub is left behind)",
  },
} satisfies BuildkitCase;
