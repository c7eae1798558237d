import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testArgDefaultExpansion",
  upstream: UP.args,
  variant: "--build-arg FOO=123",
  dockerfile: `
FROM scratch
ARG FOO
ARG BAR=\${FOO:?"foo missing"}
`,
  buildArgs: { FOO: "123" },
  expect: {},
  compareIgnore: {
    fields: ["history"],
    reason:
      "upstream and 20.10 disagree: 20.10 writes ARG entries with the value as declared (ARG group); upstream writes the value the ARG took from --build-arg (ARG group=value)",
  },
} satisfies BuildkitCase;
