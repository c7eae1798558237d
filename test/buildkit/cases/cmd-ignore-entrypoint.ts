import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testIgnoreEntrypoint",
  upstream: UP.cmd,
  knownDifference:
    "history: a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)",
  dockerfile: `
FROM {{busybox}}
ENTRYPOINT ["/nosuchcmd"]
RUN ["ls"]
`,
  expect: { config: { Entrypoint: ["/nosuchcmd"] } },
} satisfies BuildkitCase;
