import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileScratchConfig",
  upstream: UP.image,
  dockerfile: `
FROM scratch
ENV foo=bar
`,
  expect: {
    layers: 0,
    config: {
      WorkingDir: "/",
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "foo=bar"],
    },
    history: [{ createdByContains: "ENV foo=bar", emptyLayer: true }],
  },
  note: 'Upstream asserts WorkingDir is not empty; BuildKit writes "/", which the suite asserts.',
} satisfies BuildkitCase;
