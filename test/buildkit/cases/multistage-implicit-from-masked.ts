import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMultiStageImplicitFrom",
  upstream: UP.multistage,
  variant: "a stage name masks the image name",
  dockerfile: `
FROM {{busybox}} AS golang
RUN mkdir -p /usr/bin && echo -n foo > /usr/bin/go

FROM scratch
COPY --from=golang /usr/bin/go go
`,
  expect: { files: { "/go": { content: "foo" } } },
} satisfies BuildkitCase;
