import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountEnvAcrossStages",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}} as stage1

ENV MNT_ID=mycache
ENV MNT_TYPE2=cache
RUN --mount=type=cache,id=mycache,target=/abcabc touch /abcabc/foo
RUN --mount=type=$MNT_TYPE2,id=$MNT_ID,target=/cbacba [ -f /cbacba/foo ]

FROM stage1
RUN --mount=type=$MNT_TYPE2,id=$MNT_ID,target=/whatever [ -f /whatever/foo ]
`,
  expect: {},
  buildkit2010: {
    skip: 'upstream and 20.10 disagree: 20.10 does not expand variables in --mount type= ("unsupported mount type $MNT_TYPE2")',
  },
} satisfies BuildkitCase;
