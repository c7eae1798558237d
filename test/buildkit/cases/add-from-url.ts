import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileADDFromURL",
  upstream: UP.add,
  variant: "named file",
  note: "The HEAD-request count on rebuild is not ported (the suite builds once).",
  dockerfile: `
FROM scratch
ADD {{http}}/foo /dest/
`,
  http: { foo: { content: "content1" } },
  expect: { files: { "/dest/foo": { content: "content1" } } },
} satisfies BuildkitCase;
