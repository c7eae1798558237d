import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testInvalidJSONCommands",
  upstream: UP.cmd,
  variant: "RUN with text after the JSON array",
  dockerfile: `
FROM {{busybox}}
RUN ["echo", "hello"]this is invalid
`,
  expect: { error: "this is invalid" },
  buildkit2010: {
    skip: 'upstream and 20.10 disagree: 20.10 runs RUN ["echo", "hello"]this is invalid (succeeds; upstream fails naming \'this is invalid\')',
  },
} satisfies BuildkitCase;
