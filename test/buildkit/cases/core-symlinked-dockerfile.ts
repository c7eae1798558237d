import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testSymlinkedDockerfile",
  upstream: UP.core,
  dockerfile: `
FROM scratch
ENV foo bar
`,
  dockerfileName: "Dockerfile.web",
  files: { Dockerfile: { symlink: "Dockerfile.web" } },
  buildFile: "Dockerfile",
  expect: { config: { EnvContains: ["foo=bar"] } },
} satisfies BuildkitCase;
