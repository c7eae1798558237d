import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountFromError",
  upstream: UP.mount,
  knownFailure:
    "the error does not contain \"'from' doesn't support variable expansion, define alias stage instead\": DockerfileError: Dockerfile:7:5: --from=$ttt expands to an empty string (only global ARGs apply here)",
  dockerfile: `
FROM {{busybox}} as test
RUN touch /tmp/test

FROM {{busybox}}
ENV ttt=test
RUN --mount=from=$ttt,type=cache,target=/tmp ls
`,
  expect: { error: "'from' doesn't support variable expansion, define alias stage instead" },
} satisfies BuildkitCase;
