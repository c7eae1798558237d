import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountArg",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
ARG MNT_TYPE=cache
RUN --mount=type=$MNT_TYPE,target=/mycache2 touch /mycache2/foo
RUN --mount=type=cache,target=/mycache2 [ -f /mycache2/foo ]
`,
  expect: {},
} satisfies BuildkitCase;
