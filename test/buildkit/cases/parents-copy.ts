import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyParents",
  upstream: UP.parents,
  dockerfile: `
FROM scratch
COPY --parents foo1/foo2/bar /

WORKDIR /test
COPY --parents foo1/foo2/ba* .
`,
  files: {
    foo1: { dir: true, mode: 0o700 },
    "foo1/foo2": { dir: true, mode: 0o700 },
    "foo1/foo2/bar": { content: "testing", mode: 0o600 },
    "foo1/foo2/baz": { content: "testing2", mode: 0o600 },
  },
  expect: {
    files: {
      "/foo1/foo2/bar": { content: "testing" },
      "/test/foo1/foo2/bar": { content: "testing" },
      "/test/foo1/foo2/baz": { content: "testing2" },
    },
  },
  buildkit2010: { skip: "COPY --parents needs Dockerfile frontend 1.7-labs (20.10 has 1.2)" },
} satisfies BuildkitCase;
