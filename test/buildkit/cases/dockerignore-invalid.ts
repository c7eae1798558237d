import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerignoreInvalid",
  upstream: UP.dockerignore,
  note: "Upstream asserts only that the build fails (and does not hang).",
  dockerfile: `
FROM scratch
COPY . .
`,
  files: { ".dockerignore": { content: "!\n", mode: 0o600 } },
  expect: { error: "" },
} satisfies BuildkitCase;
