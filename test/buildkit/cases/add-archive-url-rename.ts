import { UP, type BuildkitCase } from "../harness/case";
import { fooTarGz } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "ADD from URL to a new name (buildkit#386)",
  dockerfile: `
FROM scratch
ADD {{http}}/t.tar.gz /newname.tar.gz
`,
  http: { "t.tar.gz": { content: fooTarGz } },
  expect: { files: { "/newname.tar.gz": { type: "file" } } },
} satisfies BuildkitCase;
