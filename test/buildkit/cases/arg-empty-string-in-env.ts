import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyStringArgInEnv",
  upstream: UP.args,
  dockerfile: `
FROM {{busybox}} AS build
ARG FOO
ARG BAR=
RUN env > env.txt

FROM scratch
COPY --from=build env.txt .
`,
  expect: { files: { "/env.txt": { contains: ["BAR="], notContains: ["FOO="] } } },
} satisfies BuildkitCase;
