import type { BuildkitCase } from "../harness/case";

export default {
  name: "testPlatformArgsImplicit",
  upstream: "frontend/dockerfile/dockerfile_platform_test.go",
  dockerfile: `
FROM scratch AS build-linux
COPY foo bar
FROM build-\${TARGETOS}
COPY foo2 bar2
`,
  files: { foo: { content: "d0", mode: 0o600 }, foo2: { content: "d1", mode: 0o600 } },
  expect: { files: { "/bar": { content: "d0" }, "/bar2": { content: "d1" } } },
} satisfies BuildkitCase;
