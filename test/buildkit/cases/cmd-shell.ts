import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCmdShell",
  upstream: UP.cmd,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: created_by: tsbuild "SHELL ["ls"]", BuildKit "SHELL [ls]"; created_by: tsbuild "ENTRYPOINT ["ls","my entrypoint"]", BuildKit "ENTRYPOINT ["ls" "my entrypoint"]"',
  prebuild: [{ dockerfile: '\nFROM scratch\nCMD ["test"]\n' }],
  dockerfile: `
FROM {{prebuilt}}
SHELL ["ls"]
ENTRYPOINT my entrypoint
`,
  expect: { config: { Cmd: null, Entrypoint: ["ls", "my entrypoint"] } },
} satisfies BuildkitCase;
