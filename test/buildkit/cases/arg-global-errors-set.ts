import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testGlobalArgErrors",
  upstream: UP.args,
  knownDifference:
    "outcome: tsbuild failed: DockerfileError: Dockerfile:2:9: FOO: custom error / BuildKit succeeded",
  knownFailure:
    "the build failed; upstream expects success: DockerfileError: Dockerfile:2:9: FOO: custom error",
  variant: "--build-arg FOO=bar",
  dockerfile: `
ARG FOO=\${FOO:?"custom error"}
FROM {{busybox}}
`,
  buildArgs: { FOO: "bar" },
  expect: {},
} satisfies BuildkitCase;
