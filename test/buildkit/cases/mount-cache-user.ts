import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCacheMountUser",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
RUN --mount=type=cache,target=/mycache,uid=1001,gid=1002,mode=0751 [ "$(stat -c "%u %g %f" /mycache)" == "1001 1002 41e9" ]
`,
  expect: {},
} satisfies BuildkitCase;
