import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileInvalidCommand",
  upstream: UP.cmd,
  knownFailure:
    'the error does not contain "/bin/sh -c invalidcmd": BuildError: RUN invalidcmd: process ["/bin/sh","-c","invalidcmd"] did not complete successfully: exit code 127 /bin/sh: invalidcmd: not found',
  dockerfile: `
	FROM {{busybox}}
	RUN invalidcmd
`,
  expect: { error: ["/bin/sh -c invalidcmd", "did not complete successfully"] },
} satisfies BuildkitCase;
