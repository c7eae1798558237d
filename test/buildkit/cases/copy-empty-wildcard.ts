import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyWildcard",
  upstream: UP.copy,
  dockerfile: `
FROM scratch
COPY foo nomatch* /
`,
  files: { foo: { content: "contents0", mode: 0o600 } },
  expect: { files: { "/foo": { content: "contents0" } } },
} satisfies BuildkitCase;
