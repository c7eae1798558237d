import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testWorkdirExists",
  upstream: UP.workdir,
  dockerfile: `
FROM {{busybox}}
RUN adduser -D user
RUN mkdir /mydir && chown user:user /mydir
WORKDIR /mydir
RUN [ "$(stat -c "%U %G" /mydir)" == "user user" ]
`,
  expect: { files: { "/mydir": { uid: 1000, gid: 1000 } } },
} satisfies BuildkitCase;
