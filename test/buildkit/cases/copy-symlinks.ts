import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopySymlinks",
  upstream: UP.copy,
  dockerfile: `
FROM scratch
COPY foo /
COPY sub/l* alllinks/
`,
  files: {
    bar: { content: "bar-contents", mode: 0o600 },
    foo: { symlink: "bar" },
    sub: { dir: true, mode: 0o700 },
    "sub/lfile": { content: "lfile-contents", mode: 0o600 },
    "sub/l0": { symlink: "subfile" },
    "sub/subfile": { content: "subfile-contents", mode: 0o600 },
    "sub/l1": { symlink: "second" },
    "sub/second": { symlink: "baz" },
    "sub/baz": { content: "baz-contents", mode: 0o600 },
  },
  expect: {
    files: {
      "/foo": { type: "file", content: "bar-contents" },
      "/alllinks/l0": { type: "file", content: "subfile-contents" },
      "/alllinks/lfile": { content: "lfile-contents" },
      "/alllinks/l1": { type: "file", content: "baz-contents" },
    },
  },
} satisfies BuildkitCase;
