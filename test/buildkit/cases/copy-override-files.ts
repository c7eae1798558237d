import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyOverrideFiles",
  upstream: UP.copy,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY sub /sub # buildkit", BuildKit "COPY sub sub # buildkit"; COPY/ADD created_by: tsbuild "COPY files/foo.go /dest/foo.go # buildkit", BuildKit "COPY files/foo.go dest/foo.go # buildkit"; COPY/ADD created_by: tsbuild "COPY files /dest # buildkit", BuildKit "COPY files dest # buildkit" | rootfs (tsbuild / BuildKit): /dest: dir 0700 0:0 / dir 0755 0:0; /sub: dir 0700 0:0 / dir 0755 0:0',
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
