import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testQuotedMetaArgs",
  upstream: UP.args,
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
