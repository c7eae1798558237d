import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testAddURLChmod",
  upstream: UP.add,
  dockerfile: `
FROM {{busybox}} AS build
ADD --chmod=644 {{http}}/foo /tmp/foo1
ADD --chmod=755 {{http}}/foo /tmp/foo2
ADD --chmod=0413 {{http}}/foo /tmp/foo3

ARG mode
ADD --chmod=\${mode} {{http}}/foo /tmp/foo4

RUN stat -c "%04a" /tmp/foo1 >> /dest && \\
	stat -c "%04a" /tmp/foo2 >> /dest && \\
	stat -c "%04a" /tmp/foo3 >> /dest && \\
	stat -c "%04a" /tmp/foo4 >> /dest

FROM scratch
COPY --from=build /dest /dest
`,
  http: { foo: { content: "content1" } },
  buildArgs: { mode: "400" },
  expect: { files: { "/dest": { content: "0644\n0755\n0413\n0400\n" } } },
  compareIgnore: {
    fields: ["rootfs:/dest"],
    reason:
      "upstream and 20.10 disagree: 20.10 ignores --chmod on ADD <url> and cannot expand ${mode} there (0600 x4); upstream 0644/0755/0413/0400",
  },
} satisfies BuildkitCase;
