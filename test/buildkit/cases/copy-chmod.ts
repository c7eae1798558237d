import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyChmod",
  upstream: UP.copy,
  dockerfile: `
FROM {{busybox}} AS base

RUN mkdir -m 0777 /out
COPY --chmod=0644 foo /
COPY --chmod=777 bar /baz
COPY --chmod=0 foo /foobis
COPY --chmod=777 foo /parent/foo
COPY --chmod=770 foo /parent/sub/foo

ARG mode
COPY --chmod=\${mode} foo /footer

RUN stat -c "%04a" /foo  > /out/fooperm
RUN stat -c "%04a" /baz  > /out/barperm
RUN stat -c "%04a" /foobis  > /out/foobisperm
RUN stat -c "%04a" /parent  > /out/parentperm
RUN stat -c "%04a" /parent/sub  > /out/subparentperm
RUN stat -c "%04a" /footer  > /out/footerperm
FROM scratch
COPY --from=base /out /
`,
  files: {
    foo: { content: "foo-contents", mode: 0o600 },
    bar: { content: "bar-contents", mode: 0o700 },
  },
  buildArgs: { mode: "755" },
  expect: {
    files: {
      "/fooperm": { content: "0644\n" },
      "/barperm": { content: "0777\n" },
      "/foobisperm": { content: "0000\n" },
      "/parentperm": { content: "0777\n" },
      "/subparentperm": { content: "0770\n" },
      "/footerperm": { content: "0755\n" },
    },
  },
  compareIgnore: {
    fields: ["rootfs:/parentperm", "rootfs:/subparentperm", "rootfs:/footerperm"],
    reason:
      "upstream and 20.10 disagree: 20.10 creates parents 0755 and cannot expand --chmod=${mode}; upstream applies the mode to created parents and expands it",
  },
} satisfies BuildkitCase;
