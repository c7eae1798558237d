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
} satisfies BuildkitCase;
