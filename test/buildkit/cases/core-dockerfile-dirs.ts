import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileDirs",
  upstream: UP.core,
  note: "The first of upstream's builds (context = Dockerfile dir); the relative-path and split-dir runs exercise buildctl's flags.",
  dockerfile: `
FROM {{busybox}}
COPY foo /foo2
COPY foo /
RUN echo -n bar > foo3
RUN test -f foo
RUN cmp -s foo foo2
RUN cmp -s foo foo3
`,
  files: { foo: { content: "bar", mode: 0o600 } },
  expect: { files: { "/foo": { content: "bar" }, "/foo2": { content: "bar" }, "/foo3": { content: "bar" } } },
} satisfies BuildkitCase;
