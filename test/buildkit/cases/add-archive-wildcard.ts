import { UP, type BuildkitCase } from "../harness/case";
import { barTar, fooTar } from "../harness/archives";

export default {
  name: "testDockerfileAddArchiveWildcard",
  upstream: UP.add,
  knownDifference:
    "outcome: tsbuild failed: DockerfileError: Dockerfile:3:11: When using ADD with more than one source file, the destination must be a directory and end with a / / BuildKit succeeded",
  knownFailure:
    "the build failed; upstream expects success: DockerfileError: Dockerfile:3:11: When using ADD with more than one source file, the destination must be a directory and end with a /",
  dockerfile: `
FROM scratch
ADD *.tar /dest
`,
  files: { "t.tar": { content: fooTar, mode: 0o600 }, "b.tar": { content: barTar, mode: 0o600 } },
  expect: { files: { "/dest/foo": { content: "content0" }, "/dest/bar": { content: "content1" } } },
} satisfies BuildkitCase;
