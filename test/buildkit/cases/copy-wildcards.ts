import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyWildcards",
  upstream: UP.copy,
  dockerfile: `
FROM scratch AS base
COPY *.go /gofiles/
COPY f*.go foo2.go
COPY sub/* /subdest/
COPY sub/*/dir2/foo /subdest2/
COPY sub/*/dir2/foo /subdest3/bar
COPY . all/
COPY sub/dir1/ subdest4
COPY sub/dir1/. subdest5
COPY sub/dir1 subdest6
`,
  files: {
    "foo.go": { content: "foo-contents", mode: 0o600 },
    "bar.go": { content: "bar-contents", mode: 0o600 },
    sub: { dir: true, mode: 0o700 },
    "sub/dir1": { dir: true, mode: 0o700 },
    "sub/dir1/dir2": { dir: true, mode: 0o700 },
    "sub/dir1/dir2/foo": { content: "foo-contents", mode: 0o600 },
  },
  expect: {
    files: {
      "/gofiles/foo.go": { content: "foo-contents" },
      "/gofiles/bar.go": { content: "bar-contents" },
      "/foo2.go": { content: "foo-contents" },
      "/subdest/dir2/foo": { content: "foo-contents" },
      "/subdest2/foo": { content: "foo-contents" },
      "/subdest3/bar": { content: "foo-contents" },
      "/all/foo.go": { content: "foo-contents" },
      "/subdest4/dir2/foo": { content: "foo-contents" },
      "/subdest5/dir2/foo": { content: "foo-contents" },
      "/subdest6/dir2/foo": { content: "foo-contents" },
    },
  },
} satisfies BuildkitCase;
