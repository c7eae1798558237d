import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testExportedHistoryFlattenArgs",
  upstream: UP.history,
  dockerfile: `
FROM {{busybox}}
ARG foo=bar
ARG bar=123
ARG foo=bar2
RUN ls /etc/
`,
  expect: {
    history: [
      { createdBy: "ARG foo=bar" },
      { createdByContains: "ARG bar=123" },
      { createdByContains: "ARG foo=bar2" },
      { createdByContains: "RUN |2 foo=bar2 bar=123 " },
    ],
  },
  compareIgnore: {
    fields: ["history"],
    reason:
      "upstream and 20.10 disagree: 20.10 repeats a redeclared ARG in RUN's created_by (RUN |3 foo=bar2 bar=123 foo=bar2, fixed upstream in moby/buildkit#5505); upstream RUN |2 foo=bar2 bar=123",
  },
} satisfies BuildkitCase;
