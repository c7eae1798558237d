import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testInvalidJSONCommands",
  upstream: UP.cmd,
  variant: "ENTRYPOINT []random string is shell form",
  dockerfile: `
FROM {{busybox}}
ENTRYPOINT []random string
`,
  expect: { config: { Entrypoint: ["/bin/sh", "-c", "[]random string"] } },
} satisfies BuildkitCase;
