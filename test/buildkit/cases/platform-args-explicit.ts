import type { BuildkitCase } from "../harness/case";

export default {
  name: "testPlatformArgsExplicit",
  upstream: "frontend/dockerfile/dockerfile_platform_test.go",
  dockerfile: `
FROM --platform=$BUILDPLATFORM {{busybox}} AS build
ARG TARGETPLATFORM
ARG TARGETOS
RUN mkdir /out && echo -n $TARGETPLATFORM > /out/platform && echo -n $TARGETOS > /out/os
FROM scratch
COPY --from=build out .
`,
  platform: "darwin/ppc64le",
  buildArgs: { TARGETOS: "freebsd" },
  expect: {
    files: { "/platform": { content: "darwin/ppc64le" }, "/os": { content: "freebsd" } },
    platform: "darwin/ppc64le",
  },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 refuses --platform darwin/ppc64le ('operating system is not supported')",
  },
} satisfies BuildkitCase;
