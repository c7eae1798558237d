import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyThroughSymlinkContext",
  upstream: UP.copy,
  dockerfile: `
FROM scratch
COPY link/foo .
`,
  files: {
    link: { symlink: "sub" },
    sub: { dir: true, mode: 0o700 },
    "sub/foo": { content: "contents", mode: 0o600 },
  },
  expect: { files: { "/foo": { type: "file", content: "contents" } } },
} satisfies BuildkitCase;
