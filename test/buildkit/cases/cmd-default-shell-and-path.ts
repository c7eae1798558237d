import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDefaultShellAndPath",
  upstream: UP.cmd,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: created_by: tsbuild "ENTRYPOINT ["/bin/sh","-c","foo bar"]", BuildKit "ENTRYPOINT ["/bin/sh" "-c" "foo bar"]"; COPY/ADD created_by: tsbuild "COPY Dockerfile / # buildkit", BuildKit "COPY Dockerfile . # buildkit"',
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
