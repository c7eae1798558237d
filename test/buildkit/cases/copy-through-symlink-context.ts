import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyThroughSymlinkContext",
  upstream: UP.copy,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY link/foo / # buildkit", BuildKit "COPY link/foo . # buildkit"',
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
