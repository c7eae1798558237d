import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildHeredoc",
  upstream: UP.heredoc,
  prebuild: [{ dockerfile: '\nFROM {{busybox}}\nONBUILD RUN <<EOF\necho "hello world" >> /dest\nEOF\n' }],
  dockerfile: `
	FROM {{prebuilt}} AS base
	FROM scratch
	COPY --from=base /dest /dest
	`,
  expect: { files: { "/dest": { content: "hello world\n" } } },
  buildkit2010: { skip: "heredocs need Dockerfile frontend 1.4 (20.10 has 1.2)" },
} satisfies BuildkitCase;
