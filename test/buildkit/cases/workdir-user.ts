import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testWorkdirUser",
  upstream: UP.workdir,
  dockerfile: `
FROM {{busybox}}
RUN adduser -D user
USER user
WORKDIR /mydir
RUN [ "$(stat -c "%U %G" /mydir)" == "user user" ]
`,
  expect: {
    files: { "/mydir": { type: "dir", uid: 1000, gid: 1000 } },
    config: { WorkingDir: "/mydir", User: "user" },
  },
} satisfies BuildkitCase;
