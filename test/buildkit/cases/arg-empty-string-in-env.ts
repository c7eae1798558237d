import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyStringArgInEnv",
  upstream: UP.args,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: COPY/ADD created_by: tsbuild "COPY env.txt / # buildkit", BuildKit "COPY env.txt . # buildkit" | rootfs (tsbuild / BuildKit): /env.txt: file 0644 0:0 sha256:… (85 B) / file 0644 0:0 sha256:… (96 B)',
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
