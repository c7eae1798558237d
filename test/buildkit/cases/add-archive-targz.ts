import { UP, type BuildkitCase } from "../harness/case";
import { fooTarGz } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "tar.gz is extracted",
  dockerfile: `
FROM scratch
ADD t.tar.gz /
`,
  files: { "t.tar.gz": { content: fooTarGz, mode: 0o600 } },
  expect: { files: { "/foo": { content: "content0" } } },
} satisfies BuildkitCase;
