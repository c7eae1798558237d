import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMultiStageCaseInsensitive",
  upstream: UP.multistage,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY bar /baz # buildkit", BuildKit "COPY bar baz # buildkit"',
  dockerfile: `
FROM scratch AS STAge0
COPY foo bar
FROM scratch AS staGE1
COPY --from=staGE0 bar baz
FROM scratch
COPY --from=stage1 baz bax
`,
  files: { foo: { content: "foo-contents", mode: 0o600 } },
  target: "Stage1",
  expect: { files: { "/baz": { contains: ["foo-contents"] } } },
} satisfies BuildkitCase;
