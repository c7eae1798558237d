import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testAddChecksum",
  upstream: UP.add,
  variant: "DigestWithKnownButUnsupportedAlgoName",
  dockerfile: `
FROM scratch
ADD --checksum=md5:7e55db001d319a94b0b713529a756623 {{http}}/foo /tmp/foo
`,
  http: { foo: { content: "content1" } },
  note: "Upstream asserts only that the build fails; the suite also wants BuildKit's wording.",
  expect: { error: "unsupported digest algorithm" },
  buildkit2010: { skip: "ADD --checksum needs Dockerfile frontend 1.6 (20.10 has 1.2)" },
} satisfies BuildkitCase;
