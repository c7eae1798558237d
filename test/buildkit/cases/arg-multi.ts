import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMultiArgs",
  upstream: UP.args,
  dockerfile: `
ARG a1="foo bar" a2=box
ARG a3="$a2-foo"
FROM {{registry}}/busy$a2 AS build
ARG a3 a4="123 456" a1
RUN echo -n "$a1:$a3:$a4" > /out
FROM scratch
COPY --from=build /out .
`,
  expect: { files: { "/out": { content: "foo bar:box-foo:123 456" } } },
} satisfies BuildkitCase;
