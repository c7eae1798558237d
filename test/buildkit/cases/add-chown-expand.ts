import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileAddChownExpand",
  upstream: UP.add,
  dockerfile: `
FROM {{busybox}}
ARG group
ENV owner 1000
ADD --chown=\${owner}:\${group} foo /
RUN [ "$(stat -c "%u %G" /foo)" == "1000 nobody" ]
`,
  files: { foo: { content: "foo-contents", mode: 0o600 } },
  buildArgs: { group: "nobody" },
  expect: { files: { "/foo": { uid: 1000, gid: 65534 } } },
} satisfies BuildkitCase;
