import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testSecretFileParams",
  upstream: UP.secrets,
  dockerfile: `
FROM {{busybox}}
RUN --mount=type=secret,required=false,mode=741,uid=100,gid=102,target=/mysecret [ "$(stat -c "%u %g %f" /mysecret)" = "100 102 81e1" ]
RUN [ ! -f /mysecret ] # check no stub left behind
`,
  secrets: { mysecret: "pw" },
  expect: { files: { "/mysecret": { exists: false } } },
} satisfies BuildkitCase;
