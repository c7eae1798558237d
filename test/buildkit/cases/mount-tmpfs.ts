import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountTmpfs",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
RUN --mount=target=/mytmp,type=tmpfs touch /mytmp/foo
RUN [ ! -f /mytmp/foo ]
`,
  expect: {},
  compareIgnore: {
    fields: ["rootfs:/mytmp"],
    reason:
      "upstream and 20.10 disagree: 20.10 leaves the RUN --mount target directory in the image; upstream removes mount stubs (testSecretFileParams asserts no stub is left behind)",
  },
} satisfies BuildkitCase;
