import { UP, type BuildkitCase } from "../harness/case";
import { fooTarGz } from "../harness/archives";

export default {
  name: "testDockerfileAddArchive",
  upstream: UP.add,
  variant: "ADD --unpack=false",
  dockerfile: `
	FROM scratch
	ADD --unpack=false t.tar.gz /
	`,
  files: { "t.tar.gz": { content: fooTarGz, mode: 0o600 } },
  expect: { files: { "/foo": { exists: false }, "/t.tar.gz": { type: "file" } } },
  buildkit2010: { skip: "ADD --unpack is newer than the 20.10 frontend" },
} satisfies BuildkitCase;
