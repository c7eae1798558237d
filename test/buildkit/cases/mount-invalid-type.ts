import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountInvalid",
  upstream: UP.mount,
  variant: "type=tmp",
  dockerfile: `
	FROM scratch
	RUN --mount=type=tmp /bin/true
	`,
  expect: { error: ['unsupported mount type "tmp"', "did you mean tmpfs?"] },
} satisfies BuildkitCase;
