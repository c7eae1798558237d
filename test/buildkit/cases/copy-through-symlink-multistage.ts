import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyThroughSymlinkMultiStage",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}} AS build
RUN mkdir -p /out/sub && ln -s /out/sub /sub && ln -s out/sub /sub2 && echo -n "data" > /sub/foo
FROM scratch
COPY --from=build /sub/foo .
COPY --from=build /sub2/foo bar
`,
  expect: { files: { "/foo": { type: "file", content: "data" } } },
} satisfies BuildkitCase;
