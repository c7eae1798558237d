import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountInvalid",
  upstream: UP.mount,
  variant: "typ=",
  dockerfile: `
	FROM scratch
	RUN --mount=typ=tmpfs /bin/true
	`,
  expect: { error: ["unexpected key 'typ'", "did you mean type?"] },
} satisfies BuildkitCase;
