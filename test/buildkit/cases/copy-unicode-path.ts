import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyUnicodePath",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}}
COPY test-äöü.txt /
COPY test-%C3%A4%C3%B6%C3%BC.txt /
COPY test+aou.txt /
`,
  files: {
    "test-äöü.txt": { content: "foo", mode: 0o644 },
    "test-%C3%A4%C3%B6%C3%BC.txt": { content: "bar", mode: 0o644 },
    "test+aou.txt": { content: "baz", mode: 0o644 },
  },
  expect: {
    files: {
      "/test-äöü.txt": { content: "foo" },
      "/test-%C3%A4%C3%B6%C3%BC.txt": { content: "bar" },
      "/test+aou.txt": { content: "baz" },
    },
  },
} satisfies BuildkitCase;
