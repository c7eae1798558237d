import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testArgDefaultExpansion",
  upstream: UP.args,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: BuildKit has history entries for ARG, tsbuild none',
  variant: "--build-arg FOO=123",
  dockerfile: `
FROM scratch
ARG FOO
ARG BAR=\${FOO:?"foo missing"}
`,
  buildArgs: { FOO: "123" },
  expect: {},
} satisfies BuildkitCase;
