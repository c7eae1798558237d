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
} satisfies BuildkitCase;
