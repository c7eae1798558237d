import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyDestDir",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}}
ENV empty=""
COPY testfile $empty
RUN [ "$(cat testfile)" == "contents0" ]
`,
  files: { testfile: { content: "contents0", mode: 0o600 } },
  expect: { files: { "/testfile": { content: "contents0" } } },
} satisfies BuildkitCase;
