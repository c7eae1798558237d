import type { BuildkitCase } from "../harness/case";

export default {
  name: "testSourceDateEpochWithoutExporter",
  upstream: "frontend/dockerfile/dockerfile_source_date_epoch_test.go",
  dockerfile: `
FROM scratch
ENTRYPOINT foo bar
COPY Dockerfile .
`,
  buildArgs: { SOURCE_DATE_EPOCH: "1700000001" },
  expect: { created: "2023-11-14T22:13:21Z" },
  buildkit2010: { skip: "SOURCE_DATE_EPOCH is newer than BuildKit 0.8 in dockerd 20.10" },
} satisfies BuildkitCase;
