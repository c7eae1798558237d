import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testExportedHistory",
  upstream: UP.history,
  dockerfile: `
FROM {{busybox}} AS base
ENV foo=bar
COPY foo /foo2
FROM {{busybox}}
LABEL lbl=val
COPY --from=base foo2 foo3
WORKDIR /
RUN echo bar > foo4
RUN ["ls"]
EXPOSE 2375 5000 1234/udp
`,
  files: { foo: { content: "contents0", mode: 0o600 } },
  expect: {
    history: [
      { createdByContains: "lbl=val", emptyLayer: true },
      { createdByContains: "COPY foo2 foo3", emptyLayer: false },
      { createdByContains: "WORKDIR /", emptyLayer: true },
      { createdByContains: "echo bar > foo4", emptyLayer: false },
      { createdByContains: "RUN ls", emptyLayer: false },
      { createdByContains: "EXPOSE [1234/udp 2375/tcp 5000/tcp]", emptyLayer: true },
    ],
    config: { Labels: { lbl: "val" }, ExposedPorts: ["1234/udp", "2375/tcp", "5000/tcp"], WorkingDir: "/" },
  },
} satisfies BuildkitCase;
