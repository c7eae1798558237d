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
  buildkit2010: {
    skip: 'upstream and 20.10 disagree: 20.10 does not expand variables in --mount type= ("unsupported mount type $MNT_TYPE")',
  },
} satisfies BuildkitCase;
