import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountRWCache",
  upstream: UP.mount,
  note: "The first build only: upstream's rebuild with a changed cachebust file (cache by content) is not ported.",
  dockerfile: `
from {{busybox}} AS build
copy cachebust /
run mkdir out && echo foo > out/foo

from {{busybox}} as second
RUN --mount=from=build,src=out,target=/out,rw touch /out/bar && cat /dev/urandom | head -c 100 | sha256sum > /unique

from scratch
COPY --from=second /unique /unique
`,
  files: { cachebust: { content: "0", mode: 0o600 } },
  expect: { files: { "/unique": { contentMatches: /^[0-9a-f]{64} {2}-\n$/ } } },
  compareIgnore: { fields: ["rootfs:/unique"], reason: "random content by design" },
} satisfies BuildkitCase;
