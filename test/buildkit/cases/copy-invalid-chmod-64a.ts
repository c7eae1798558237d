import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyInvalidChmod",
  upstream: UP.copy,
  variant: "--chmod=64a",
  dockerfile: `
FROM scratch
COPY --chmod=64a foo /
`,
  files: { foo: { content: "foo-contents", mode: 0o600 } },
  expect: { error: "invalid chmod parameter: '64a'. it should be octal string and between 0 and 07777" },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 accepts --chmod=64a (upstream: invalid chmod parameter error)",
  },
} satisfies BuildkitCase;
