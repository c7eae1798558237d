import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildInheritedStageWithFrom",
  upstream: UP.onbuild,
  dockerfile: `
FROM {{busybox}} AS src
RUN mkdir -p /in && echo -n 12 > /in/file

FROM {{busybox}} AS base
ONBUILD COPY --from=src /in/file /out/foo

FROM base AS mid
RUN cp /out/foo /out/bar

FROM scratch
COPY --from=mid /out/bar /
`,
  expect: { files: { "/bar": { content: "12" } } },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 cannot run ONBUILD COPY --from=<stage> in an inherited stage (lstat: no such file)",
  },
} satisfies BuildkitCase;
