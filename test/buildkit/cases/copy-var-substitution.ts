import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyVarSubstitution",
  upstream: UP.copy,
  dockerfile: `
FROM scratch AS base
ENV FOO bar
COPY $FOO baz
`,
  files: { bar: { content: "bar-contents", mode: 0o600 } },
  expect: { files: { "/baz": { content: "bar-contents" } } },
} satisfies BuildkitCase;
