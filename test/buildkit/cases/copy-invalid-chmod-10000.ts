import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyInvalidChmod",
  upstream: UP.copy,
  variant: "--chmod=10000",
  dockerfile: `
FROM scratch
COPY --chmod=10000 foo /
`,
  files: { foo: { content: "foo-contents", mode: 0o600 } },
  expect: { error: "invalid chmod parameter: '10000'. it should be octal string and between 0 and 07777" },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 accepts --chmod=10000 (upstream: invalid chmod parameter error)",
  },
} satisfies BuildkitCase;
