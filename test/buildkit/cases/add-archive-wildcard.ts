import { UP, type BuildkitCase } from "../harness/case";
import { barTar, fooTar } from "../harness/archives";

export default {
  name: "testDockerfileAddArchiveWildcard",
  upstream: UP.add,
  dockerfile: `
FROM scratch
ADD *.tar /dest
`,
  files: { "t.tar": { content: fooTar, mode: 0o600 }, "b.tar": { content: barTar, mode: 0o600 } },
  expect: { files: { "/dest/foo": { content: "content0" }, "/dest/bar": { content: "content1" } } },
} satisfies BuildkitCase;
