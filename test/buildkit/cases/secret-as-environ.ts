import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testSecretAsEnviron",
  upstream: UP.secrets,
  note: "Upstream's check that the progress output masks the value is not ported.",
  dockerfile: `
FROM {{busybox}}
ENV SECRET_ENV=foo
RUN --mount=type=secret,id=mysecret,env=SECRET_ENV [ "$SECRET_ENV" == "pw" ] && [ ! -f /run/secrets/mysecret ] || false
`,
  secrets: { mysecret: "pw" },
  expect: { config: { EnvContains: ["SECRET_ENV=foo"] } },
  buildkit2010: { skip: "secret mounts as env= need Dockerfile frontend 1.10 (20.10 has 1.2)" },
} satisfies BuildkitCase;
