import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileAddChownExpand",
  upstream: UP.add,
  knownDifference:
    'history: BuildKit has history entries for ARG, tsbuild none; COPY/ADD created_by: tsbuild "ADD --chown=1000:nobody foo / # buildkit", BuildKit "ADD foo / # buildkit"; a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)',
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
