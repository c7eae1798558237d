import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileLowercase",
  upstream: UP.core,
  knownDifference:
    "outcome: tsbuild failed: BuildError: read Dockerfile Dockerfile: no such file / BuildKit succeeded",
  knownFailure:
    "the build failed; upstream expects success: BuildError: read Dockerfile Dockerfile: no such file",
  dockerfile: "\nFROM scratch\n",
  dockerfileName: null,
  files: { dockerfile: { content: "\nFROM scratch\n", mode: 0o600 } },
  expect: {},
} satisfies BuildkitCase;
