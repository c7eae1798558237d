import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileCheckHostname",
  upstream: UP.core,
  variant: "build-arg BUILDKIT_SANDBOX_HOSTNAME",
  note: "The 'meta' variants set the frontend's hostname attribute, which docker build and tsbuild have no flag for.",
  dockerfile: `
FROM {{busybox}}
RUN cat /etc/hosts | grep foo
RUN echo $HOSTNAME | grep foo
	RUN echo $(hostname) | grep foo
	`,
  buildArgs: { BUILDKIT_SANDBOX_HOSTNAME: "foo" },
  expect: {},
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 ignores BUILDKIT_SANDBOX_HOSTNAME (the hostname check fails)",
  },
} satisfies BuildkitCase;
