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
} satisfies BuildkitCase;
