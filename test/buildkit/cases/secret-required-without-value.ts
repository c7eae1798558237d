import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testSecretRequiredWithoutValue",
  upstream: UP.secrets,
  knownFailure:
    'the error does not contain "secret mysecret: not found": BuildError: RUN --mount=type=secret,required,id=mysecret foo: secret "mysecret" is required but was not given (--secret id=mysecret,src=...)',
  dockerfile: `
FROM {{busybox}}
RUN --mount=type=secret,required,id=mysecret foo
`,
  expect: { error: "secret mysecret: not found" },
} satisfies BuildkitCase;
