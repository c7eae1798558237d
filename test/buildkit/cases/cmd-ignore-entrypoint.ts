import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testIgnoreEntrypoint",
  upstream: UP.cmd,
  dockerfile: `
FROM {{busybox}}
ENTRYPOINT ["/nosuchcmd"]
RUN ["ls"]
`,
  expect: { config: { Entrypoint: ["/nosuchcmd"] } },
} satisfies BuildkitCase;
