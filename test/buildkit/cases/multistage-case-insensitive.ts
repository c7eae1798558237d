import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMultiStageCaseInsensitive",
  upstream: UP.multistage,
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
