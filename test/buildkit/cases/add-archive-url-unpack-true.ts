import { UP, type BuildkitCase } from "../harness/case";
import { fooTarGz } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "ADD --unpack=true from URL",
  dockerfile: `
FROM scratch
ADD --unpack=true {{http}}/t.tar.gz /dest/
`,
  http: { "t.tar.gz": { content: fooTarGz } },
  expect: { files: { "/dest/foo": { content: "content0" } } },
  buildkit2010: { skip: "ADD --unpack is newer than the 20.10 frontend" },
} satisfies BuildkitCase;
