import { UP, type BuildkitCase } from "../harness/case";
import { tarOf } from "../harness/tar-fixture";

export default {
  name: "testSymlinkDestination",
  upstream: UP.core,
  dockerfile: `
FROM scratch
ADD t.tar /
COPY foo /symlink/
`,
  files: {
    foo: { content: "content0", mode: 0o600 },
    "t.tar": {
      content: tarOf([{ name: "symlink", symlink: "../tmp/symlink-target", mode: 0o755 }]),
      mode: 0o600,
    },
  },
  expect: {
    files: {
      "/tmp/symlink-target/foo": { content: "content0" },
      "/symlink": { type: "symlink", linkTarget: "../tmp/symlink-target" },
    },
  },
} satisfies BuildkitCase;
