import * as crypto from "node:crypto";
import { UP, type BuildkitCase } from "../harness/case";

const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

export default {
  name: "testAddChecksum",
  upstream: UP.add,
  variant: "DigestFromEnv",
  dockerfile: `
FROM scratch
ENV DIGEST=sha256:${sha("content1")}
ENV LINK={{http}}/foo
ADD --checksum=\${DIGEST} \${LINK} /tmp/foo
`,
  http: { foo: { content: "content1" } },

  expect: { files: { "/tmp/foo": { content: "content1" } } },
  buildkit2010: { skip: "ADD --checksum needs Dockerfile frontend 1.6 (20.10 has 1.2)" },
} satisfies BuildkitCase;
