import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testSecretRequiredWithoutValue",
  upstream: UP.secrets,
  dockerfile: `
FROM {{busybox}}
RUN --mount=type=secret,required,id=mysecret foo
`,
  expect: { error: "secret mysecret: not found" },
} satisfies BuildkitCase;
