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
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 does not expand $META_PATH in --mount target= (the check fails)",
  },
} satisfies BuildkitCase;
