import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountEnvVar",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
ENV SOME_PATH=/mycache
RUN --mount=type=cache,target=/mycache touch /mycache/foo
RUN --mount=type=cache,target=$SOME_PATH [ -f $SOME_PATH/foo ]
`,
  expect: {},
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 does not expand $SOME_PATH in --mount target= (the cache is mounted elsewhere, the check fails)",
  },
} satisfies BuildkitCase;
