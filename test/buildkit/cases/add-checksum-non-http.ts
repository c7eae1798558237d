import * as crypto from "node:crypto";
import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testAddChecksum",
  upstream: UP.add,
  variant: "NonHTTPSource",
  note: "Upstream asserts only that the build fails; the suite also wants BuildKit's wording.",
  dockerfile: `
FROM scratch
ADD --checksum=sha256:${crypto.createHash("sha256").update("local file").digest("hex")} foo /tmp/foo
`,
  files: { foo: { content: "local file", mode: 0o600 } },
  expect: { error: "checksum requires HTTP(S) or Git sources" },
  buildkit2010: { skip: "ADD --checksum needs Dockerfile frontend 1.6 (20.10 has 1.2)" },
} satisfies BuildkitCase;
