import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileADDFromURL",
  upstream: UP.add,
  variant: "URL without a file name",
  note: "Upstream also checks the mtime is the Last-Modified header; the suite sets timestamps aside.",
  dockerfile: `
FROM scratch
ADD {{http}}/ /dest/
`,
  http: { "": { content: "content2", lastModified: "Mon, 01 Jan 2024 00:00:00 GMT" } },
  expect: { files: { "/dest/__unnamed__": { content: "content2" } } },
} satisfies BuildkitCase;
