import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testPreserveDestDirSlash",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}}
COPY testfile /sample/
RUN [ "$(cat /sample/testfile)" == "contents0" ]
`,
  files: { testfile: { content: "contents0", mode: 0o600 } },
  expect: { files: { "/sample/testfile": { content: "contents0" } } },
} satisfies BuildkitCase;
