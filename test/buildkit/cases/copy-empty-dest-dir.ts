import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyDestDir",
  upstream: UP.copy,
  knownDifference:
    'history: COPY/ADD created_by: tsbuild "COPY testfile / # buildkit", BuildKit "COPY testfile # buildkit"; a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)',
  dockerfile: `
FROM {{busybox}}
ENV empty=""
COPY testfile $empty
RUN [ "$(cat testfile)" == "contents0" ]
`,
  files: { testfile: { content: "contents0", mode: 0o600 } },
  expect: { files: { "/testfile": { content: "contents0" } } },
} satisfies BuildkitCase;
