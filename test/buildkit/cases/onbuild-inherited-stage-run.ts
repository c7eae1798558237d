import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildInheritedStageRun",
  upstream: UP.onbuild,
  dockerfile: `
FROM {{busybox}} AS base
ONBUILD RUN mkdir -p /out && echo -n 11 >> /out/foo

FROM base AS mid
RUN cp /out/foo /out/bar

FROM scratch
COPY --from=mid /out/bar /
`,
  expect: { files: { "/bar": { content: "11" } } },
} satisfies BuildkitCase;
