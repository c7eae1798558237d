import * as crypto from "node:crypto";
import { UP, type BuildkitCase } from "../harness/case";

const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

export default {
  name: "testAddChecksum",
  upstream: UP.add,
  variant: "DigestWithUnknownAlgoName",
  dockerfile: `
FROM scratch
ADD --checksum=unknown:${sha("content1")} {{http}}/foo /tmp/foo
`,
  http: { foo: { content: "content1" } },
  note: "Upstream asserts only that the build fails; the suite also wants BuildKit's wording.",
  expect: { error: "unsupported digest algorithm" },
  buildkit2010: { skip: "ADD --checksum needs Dockerfile frontend 1.6 (20.10 has 1.2)" },
} satisfies BuildkitCase;
