import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testGlobalArgErrors",
  upstream: UP.args,
  variant: "--build-arg FOO=bar",
  dockerfile: `
ARG FOO=\${FOO:?"custom error"}
FROM {{busybox}}
`,
  buildArgs: { FOO: "bar" },
  expect: {},
} satisfies BuildkitCase;
