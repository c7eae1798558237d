import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountInvalid",
  upstream: UP.mount,
  knownFailure:
    'the error does not contain "unexpected key \'typ\'": DockerfileError: Dockerfile:3:14: unknown key "typ" for --mount type=bind (did you mean type?)',
  variant: "typ=",
  dockerfile: `
	FROM scratch
	RUN --mount=typ=tmpfs /bin/true
	`,
  expect: { error: ["unexpected key 'typ'", "did you mean type?"] },
} satisfies BuildkitCase;
