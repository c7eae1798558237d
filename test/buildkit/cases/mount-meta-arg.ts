import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountMetaArg",
  upstream: UP.mount,
  dockerfile: `
ARG META_PATH=/tmp/meta

FROM {{busybox}}
ARG META_PATH
RUN --mount=type=cache,id=mycache,target=/tmp/meta touch /tmp/meta/foo
RUN --mount=type=cache,id=mycache,target=$META_PATH [ -f /tmp/meta/foo ]
`,
  expect: {},
} satisfies BuildkitCase;
