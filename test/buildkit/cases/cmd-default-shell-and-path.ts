import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDefaultShellAndPath",
  upstream: UP.cmd,
  variant: "linux/amd64",
  note: "Upstream builds windows/amd64 and linux/amd64 together; the suite builds the host platform only.",
  dockerfile: `
FROM scratch
ENTRYPOINT foo bar
COPY Dockerfile .
`,
  expect: {
    layers: 1,
    config: {
      Entrypoint: ["/bin/sh", "-c", "foo bar"],
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    },
  },
} satisfies BuildkitCase;
