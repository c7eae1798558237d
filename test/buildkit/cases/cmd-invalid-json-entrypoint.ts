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
  compareIgnore: {
    fields: ["config.Entrypoint", "history"],
    reason:
      "upstream and 20.10 disagree: 20.10 reads ENTRYPOINT []random string as an empty JSON array; upstream as shell form",
  },
} satisfies BuildkitCase;
