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
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 does not evaluate ${FOO:?} in a global ARG default (succeeds; upstream fails with 'FOO: custom error')",
  },
} satisfies BuildkitCase;
