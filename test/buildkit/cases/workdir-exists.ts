import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testWorkdirExists",
  upstream: UP.workdir,
  knownDifference:
    'history: "WORKDIR /mydir": empty_layer true in tsbuild, false in BuildKit; a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)',
  dockerfile: `
FROM {{busybox}}
RUN adduser -D user
RUN mkdir /mydir && chown user:user /mydir
WORKDIR /mydir
RUN [ "$(stat -c "%U %G" /mydir)" == "user user" ]
`,
  expect: { files: { "/mydir": { uid: 1000, gid: 1000 } } },
} satisfies BuildkitCase;
