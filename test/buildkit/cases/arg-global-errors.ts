import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testGlobalArgErrors",
  upstream: UP.args,
  variant: "no build arg",
  dockerfile: `
ARG FOO=\${FOO:?"custom error"}
FROM {{busybox}}
`,
  expect: { error: "FOO: custom error" },
} satisfies BuildkitCase;
