import type { BuildkitCase } from "../harness/case";

export default {
  name: "testSourceDateEpochDockerfileDefaultInvalid",
  upstream: "frontend/dockerfile/dockerfile_source_date_epoch_test.go",
  dockerfile: `
ARG SOURCE_DATE_EPOCH=not-a-timestamp
FROM scratch
COPY Dockerfile .
`,
  expect: { error: "invalid SOURCE_DATE_EPOCH: not-a-timestamp" },
  buildkit2010: { skip: "SOURCE_DATE_EPOCH is newer than BuildKit 0.8 in dockerd 20.10" },
} satisfies BuildkitCase;
