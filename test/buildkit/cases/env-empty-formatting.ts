import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEnvEmptyFormatting",
  upstream: UP.args,
  dockerfile: `
FROM {{busybox}} AS build
ENV myenv foo%sbar
RUN [ "$myenv" = 'foo%sbar' ]
`,
  expect: { config: { EnvContains: ["myenv=foo%sbar"] } },
} satisfies BuildkitCase;
