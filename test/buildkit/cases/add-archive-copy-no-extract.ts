import { UP, type BuildkitCase } from "../harness/case";
import { fooTarGz } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "COPY does not extract",
  dockerfile: `
FROM scratch
COPY t.tar.gz /
`,
  files: { "t.tar.gz": { content: fooTarGz, mode: 0o600 } },
  expect: { files: { "/t.tar.gz": { type: "file" }, "/foo": { exists: false } } },
} satisfies BuildkitCase;
