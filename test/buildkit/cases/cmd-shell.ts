import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCmdShell",
  upstream: UP.cmd,
  prebuild: [{ dockerfile: '\nFROM scratch\nCMD ["test"]\n' }],
  dockerfile: `
FROM {{prebuilt}}
SHELL ["ls"]
ENTRYPOINT my entrypoint
`,
  expect: { config: { Cmd: null, Entrypoint: ["ls", "my entrypoint"] } },
} satisfies BuildkitCase;
