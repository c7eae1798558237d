import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountInvalid",
  upstream: UP.mount,
  knownFailure:
    'the error does not contain "unsupported mount type \\"tmp\\"": DockerfileError: Dockerfile:3:19: invalid --mount type=tmp (expected bind, cache, tmpfs, secret or ssh); the error does not contain "did you mean tmpfs?": DockerfileError: Dockerfile:3:19: invalid --mount type=tmp (expected bind, cache, tmpfs, secret or ssh)',
  variant: "type=tmp",
  dockerfile: `
	FROM scratch
	RUN --mount=type=tmp /bin/true
	`,
  expect: { error: ['unsupported mount type "tmp"', "did you mean tmpfs?"] },
} satisfies BuildkitCase;
