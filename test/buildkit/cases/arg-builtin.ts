import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testBuiltinArgs",
  upstream: UP.args,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | rootfs (tsbuild / BuildKit): /out: file 0644 0:0 sha256:… (36 B) / file 0644 0:0 sha256:… (43 B)',
  knownFailure:
    '/out: content "::npvalue::foocontents::::bazcontent", expected "hpvalue::npvalue::foocontents::::bazcontent"',
  note: "Only the first build; upstream's cache-reuse rebuilds with changed proxy args are not ported.",
  dockerfile: `
FROM {{busybox}} AS build
ARG FOO
ARG BAR
ARG BAZ=bazcontent
RUN echo -n $HTTP_PROXY::$NO_PROXY::$FOO::$BAR::$BAZ > /out
FROM scratch
COPY --from=build /out /

`,
  buildArgs: { FOO: "foocontents", http_proxy: "hpvalue", NO_PROXY: "npvalue" },
  expect: { files: { "/out": { content: "hpvalue::npvalue::foocontents::::bazcontent" } } },
} satisfies BuildkitCase;
