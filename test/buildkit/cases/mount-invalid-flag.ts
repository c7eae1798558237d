import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountInvalid",
  upstream: UP.mount,
  knownFailure:
    'the error does not contain "unknown flag: mont": DockerfileError: Dockerfile:3:5: unknown flag --mont for RUN (did you mean --mount?); the error does not contain "did you mean mount?": DockerfileError: Dockerfile:3:5: unknown flag --mont for RUN (did you mean --mount?)',
  variant: "--mont",
  dockerfile: `
FROM scratch
RUN --mont=target=/mytmp,type=tmpfs /bin/true
`,
  expect: { error: ["unknown flag: mont", "did you mean mount?"] },
} satisfies BuildkitCase;
