import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMultiStageImplicitFrom",
  upstream: UP.multistage,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY /etc/passwd /test # buildkit", BuildKit "COPY /etc/passwd test # buildkit"',
  variant: "COPY --from=<image>",
  dockerfile: `
FROM scratch
COPY --from={{busybox}} /etc/passwd test
`,
  expect: { files: { "/test": { contains: ["root"] } } },
} satisfies BuildkitCase;
