import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testQuotedMetaArgs",
  upstream: UP.args,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY /out / # buildkit", BuildKit "COPY /out . # buildkit"',
  dockerfile: `
ARG a1="box"
ARG a2="$a1-foo"
FROM {{registry}}/busy$a1 AS build
ARG a2
ARG a3="bar-$a2"
RUN echo -n $a3 > /out
FROM scratch
COPY --from=build /out .
`,
  expect: { files: { "/out": { content: "bar-box-foo" } } },
} satisfies BuildkitCase;
