import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOutOfOrderStage",
  upstream: UP.multistage,
  variant: "COPY --from=build /",
  dockerfile: `
FROM {{busybox}} AS target
COPY --from=build / /out

FROM {{busybox}} AS build
COPY /Dockerfile /d2

FROM target
`,
  expect: { error: ["cannot copy from stage", "needs to be defined before current stage"] },
} satisfies BuildkitCase;
