import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testBuiltinArgs",
  upstream: UP.args,
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
