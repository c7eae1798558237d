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
} satisfies BuildkitCase;
