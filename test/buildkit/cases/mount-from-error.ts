import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountFromError",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}} as test
RUN touch /tmp/test

FROM {{busybox}}
ENV ttt=test
RUN --mount=from=$ttt,type=cache,target=/tmp ls
`,
  expect: { error: "'from' doesn't support variable expansion, define alias stage instead" },
} satisfies BuildkitCase;
