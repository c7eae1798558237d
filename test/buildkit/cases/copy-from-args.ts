import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileCopyFromArgs",
  upstream: UP.copy,
  dockerfile: `
FROM scratch
COPY --from=$FOO . .
`,
  expect: {
    error:
      "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
  },
} satisfies BuildkitCase;
