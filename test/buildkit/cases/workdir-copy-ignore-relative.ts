import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testWorkdirCopyIgnoreRelative",
  upstream: UP.workdir,
  dockerfile: `
FROM scratch AS base
WORKDIR /foo
COPY Dockerfile /
FROM scratch
# relative path still loaded as absolute
COPY --from=base Dockerfile .
`,
  expect: { files: { "/Dockerfile": { type: "file" } } },
} satisfies BuildkitCase;
