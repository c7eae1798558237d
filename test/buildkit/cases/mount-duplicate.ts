import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountDuplicate",
  upstream: UP.mount,
  note: "The first of upstream's two builds (a.txt = foo); the rebuild with an updated a.txt is not ported.",
  dockerfile: `
FROM {{busybox}} AS base
RUN --mount=source=.,target=/tmp/test \\
  --mount=source=b.txt,target=/tmp/b.txt \\
  cat /tmp/test/a.txt /tmp/b.txt > /combined.txt
FROM scratch
COPY --from=base /combined.txt /
`,
  files: { "a.txt": { content: "foo\n", mode: 0o600 }, "b.txt": { content: "bar\n", mode: 0o600 } },
  expect: { files: { "/combined.txt": { content: "foo\nbar\n" } } },
} satisfies BuildkitCase;
