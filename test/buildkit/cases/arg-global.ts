import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testGlobalArg",
  upstream: UP.args,
  dockerfile: `
ARG tag=nosuchtag
FROM {{registry}}/busybox:\${tag}
`,
  buildArgs: { tag: "latest" },
  expect: {},
} satisfies BuildkitCase;
