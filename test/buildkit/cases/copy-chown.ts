import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyChown",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}} AS base
ENV owner 1000
RUN mkdir -m 0777 /out
COPY --chown=daemon foo /
COPY --chown=1000:nobody bar /baz
ARG group
COPY --chown=\${owner}:\${group} foo /foobis
RUN stat -c "%U %G" /foo  > /out/fooowner
RUN stat -c "%u %G" /baz/sub  > /out/subowner
RUN stat -c "%u %G" /foobis  > /out/foobisowner
FROM scratch
COPY --from=base /out /
`,
  files: {
    foo: { content: "foo-contents", mode: 0o600 },
    bar: { dir: true, mode: 0o700 },
    "bar/sub": { content: "", mode: 0o600 },
  },
  buildArgs: { group: "nobody" },
  expect: {
    files: {
      "/fooowner": { content: "daemon daemon\n" },
      "/subowner": { content: "1000 nobody\n" },
      "/foobisowner": { content: "1000 nobody\n" },
    },
  },
} satisfies BuildkitCase;
