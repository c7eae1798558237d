import { UP, type BuildkitCase } from "../harness/case";
import { fooTarGz } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "ADD from URL does not extract",
  dockerfile: `
FROM scratch
ADD {{http}}/t.tar.gz /
`,
  http: { "t.tar.gz": { content: fooTarGz } },
  expect: { files: { "/t.tar.gz": { type: "file" }, "/foo": { exists: false } } },
} satisfies BuildkitCase;
