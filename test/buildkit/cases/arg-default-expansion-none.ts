import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testArgDefaultExpansion",
  upstream: UP.args,
  variant: "no build arg",
  dockerfile: `
FROM scratch
ARG FOO
ARG BAR=\${FOO:?"foo missing"}
`,

  expect: { error: "FOO: foo missing" },
} satisfies BuildkitCase;
