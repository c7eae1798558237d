import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testWorkdirCopyIgnoreRelative",
  upstream: UP.workdir,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY Dockerfile / # buildkit", BuildKit "COPY Dockerfile . # buildkit"',
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
