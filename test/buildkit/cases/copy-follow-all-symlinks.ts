import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyFollowAllSymlinks",
  upstream: UP.copy,
  dockerfile: `
FROM scratch
COPY foo /
COPY foo/sub bar
`,
  files: {
    bar: { content: "bar-contents", mode: 0o600 },
    foo: { dir: true, mode: 0o700 },
    "foo/sub": { symlink: "../bar" },
  },
  expect: {},
} satisfies BuildkitCase;
