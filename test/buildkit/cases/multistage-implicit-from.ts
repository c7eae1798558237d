import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMultiStageImplicitFrom",
  upstream: UP.multistage,
  variant: "COPY --from=<image>",
  dockerfile: `
FROM scratch
COPY --from={{busybox}} /etc/passwd test
`,
  expect: { files: { "/test": { contains: ["root"] } } },
} satisfies BuildkitCase;
