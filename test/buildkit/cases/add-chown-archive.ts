import { UP, type BuildkitCase } from "../harness/case";
import { fooTar } from "../harness/archives";

export default {
  name: "testDockerfileAddChownArchive",
  upstream: UP.add,
  dockerfile: `
FROM scratch
ADD --chown=100:200 t.tar /out/
`,
  files: { "t.tar": { content: fooTar, mode: 0o600 } },
  expect: {
    files: {
      "/out/foo": { content: "content0", uid: 100, gid: 200 },
      "/out": { type: "dir", uid: 100, gid: 200 },
    },
  },
  compareIgnore: {
    fields: ["rootfs:/out/foo"],
    reason:
      "upstream and 20.10 disagree: 20.10 leaves files extracted by ADD --chown=100:200 t.tar owned 0:0; upstream chowns them",
  },
} satisfies BuildkitCase;
