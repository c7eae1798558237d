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
  compareIgnore: {
    fields: ["history"],
    reason:
      "upstream and 20.10 disagree: 20.10 writes ARG entries with the value as declared (ARG group); upstream writes the value the ARG took from --build-arg (ARG group=value)",
  },
} satisfies BuildkitCase;
