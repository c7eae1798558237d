import { UP, type BuildkitCase } from "../harness/case";
import { fooTar } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "tar is extracted",
  dockerfile: `
FROM scratch
ADD t.tar /
`,
  files: { "t.tar": { content: fooTar, mode: 0o600 } },
  expect: { files: { "/foo": { content: "content0" }, "/t.tar": { exists: false } } },
} satisfies BuildkitCase;
