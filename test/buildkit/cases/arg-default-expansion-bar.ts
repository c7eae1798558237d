import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testArgDefaultExpansion",
  upstream: UP.args,
  variant: "--build-arg BAR=123",
  dockerfile: `
FROM scratch
ARG FOO
ARG BAR=\${FOO:?"foo missing"}
`,
  buildArgs: { BAR: "123" },
  expect: {},
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 evaluates ARG BAR's default ${FOO:?} even when BAR is given (fails; upstream succeeds)",
  },
} satisfies BuildkitCase;
