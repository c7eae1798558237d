import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountInvalid",
  upstream: UP.mount,
  variant: "--mont",
  dockerfile: `
FROM scratch
RUN --mont=target=/mytmp,type=tmpfs /bin/true
`,
  expect: { error: ["unknown flag: mont", "did you mean mount?"] },
} satisfies BuildkitCase;
