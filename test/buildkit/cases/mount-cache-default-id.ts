import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCacheMountDefaultID",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
RUN --mount=type=cache,target=/mycache touch /mycache/foo
RUN --mount=type=cache,target=/mycache2 [ ! -f /mycache2/foo ]
RUN --mount=type=cache,target=/mycache [ -f /mycache/foo ]
`,
  expect: {},
  compareIgnore: {
    fields: ["rootfs:/mycache", "rootfs:/mycache2"],
    reason:
      "upstream and 20.10 disagree: 20.10 leaves the RUN --mount target directory in the image; upstream removes mount stubs (testSecretFileParams asserts no stub is left behind)",
  },
} satisfies BuildkitCase;
