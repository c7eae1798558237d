import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileInvalidCommand",
  upstream: UP.cmd,
  dockerfile: `
	FROM {{busybox}}
	RUN invalidcmd
`,
  expect: { error: ["/bin/sh -c invalidcmd", "did not complete successfully"] },
} satisfies BuildkitCase;
