import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCacheMountUser",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
RUN --mount=type=cache,target=/mycache,uid=1001,gid=1002,mode=0751 [ "$(stat -c "%u %g %f" /mycache)" == "1001 1002 41e9" ]
`,
  expect: {},
  compareIgnore: {
    fields: ["rootfs:/mycache"],
    reason:
      "upstream and 20.10 disagree: 20.10 leaves the RUN --mount target directory in the image; upstream removes mount stubs (testSecretFileParams asserts no stub is left behind)",
  },
} satisfies BuildkitCase;
