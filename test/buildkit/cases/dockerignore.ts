import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerignore",
  upstream: UP.dockerignore,
  dockerfile: `
FROM scratch
COPY . .
`,
  files: {
    foo: { content: "foo-contents", mode: 0o600 },
    bar: { content: "bar-contents", mode: 0o600 },
    baz: { content: "baz-contents", mode: 0o600 },
    bay: { content: "bay-contents", mode: 0o600 },
    ".dockerignore": { content: "\nba*\nDockerfile\n!bay\n.dockerignore\n", mode: 0o600 },
  },
  expect: {
    files: {
      "/foo": { content: "foo-contents" },
      "/.dockerignore": { exists: false },
      "/Dockerfile": { exists: false },
      "/bar": { exists: false },
      "/baz": { exists: false },
      "/bay": { content: "bay-contents" },
    },
  },
} satisfies BuildkitCase;
