import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyOverrideFiles",
  upstream: UP.copy,
  dockerfile: `
FROM scratch AS base
COPY sub sub
COPY sub sub
COPY files/foo.go dest/foo.go
COPY files/foo.go dest/foo.go
COPY files dest
`,
  files: {
    sub: { dir: true, mode: 0o700 },
    "sub/dir1": { dir: true, mode: 0o700 },
    "sub/dir1/dir2": { dir: true, mode: 0o700 },
    "sub/dir1/dir2/foo": { content: "foo-contents", mode: 0o600 },
    files: { dir: true, mode: 0o700 },
    "files/foo.go": { content: "foo.go-contents", mode: 0o600 },
  },
  expect: {
    files: {
      "/sub/dir1/dir2/foo": { content: "foo-contents" },
      "/dest/foo.go": { content: "foo.go-contents" },
    },
  },
} satisfies BuildkitCase;
