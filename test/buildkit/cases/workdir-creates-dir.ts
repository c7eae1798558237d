import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testWorkdirCreatesDir",
  upstream: UP.workdir,
  dockerfile: `
FROM scratch
WORKDIR /foo
WORKDIR /
`,
  expect: { files: { "/foo": { type: "dir" } }, config: { WorkingDir: "/" } },
} satisfies BuildkitCase;
