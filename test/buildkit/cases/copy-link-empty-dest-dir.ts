import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyLinkEmptyDestDir",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}}
WORKDIR /var/www
ENV empty=""
COPY --link testfile $empty
RUN [ "$(cat testfile)" == "contents0" ]
`,
  files: { testfile: { content: "contents0", mode: 0o600 } },
  expect: { files: { "/var/www/testfile": { content: "contents0" } } },
  buildkit2010: { skip: "COPY --link needs Dockerfile frontend 1.4 (20.10 has 1.2)" },
} satisfies BuildkitCase;
