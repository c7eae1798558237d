import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testLabels",
  upstream: UP.core,
  dockerfile: `
FROM scratch
LABEL foo=bar
`,
  labels: { bar: "baz" },
  expect: { config: { Labels: { bar: "baz", foo: "bar" } } },
} satisfies BuildkitCase;
