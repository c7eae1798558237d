import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOutOfOrderStage",
  upstream: UP.multistage,
  variant: "COPY --from=build /d2",
  dockerfile: `
FROM {{busybox}} AS target
COPY --from=build /d2 /out

FROM {{busybox}} AS build
COPY /Dockerfile /d2

FROM target
`,
  expect: { error: ["cannot copy from stage", "needs to be defined before current stage"] },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 has no 'needs to be defined before current stage' check (fails later with lstat /d2)",
  },
} satisfies BuildkitCase;
