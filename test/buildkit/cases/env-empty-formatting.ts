import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEnvEmptyFormatting",
  upstream: UP.args,
  knownDifference:
    "history: a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)",
  dockerfile: `
FROM {{busybox}} AS build
ENV myenv foo%sbar
RUN [ "$myenv" = 'foo%sbar' ]
`,
  expect: { config: { EnvContains: ["myenv=foo%sbar"] } },
} satisfies BuildkitCase;
