import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileCopyFromArgs",
  upstream: UP.copy,
  knownFailure:
    'the error does not contain "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround": DockerfileError: Dockerfile:3:6: --from=$FOO expands to an empty string (only global ARGs apply here)',
  dockerfile: `
FROM scratch
COPY --from=$FOO . .
`,
  expect: {
    error:
      "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
  },
} satisfies BuildkitCase;
