import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopySocket",
  upstream: UP.copy,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | rootfs (tsbuild / BuildKit): /socket.sock: absent / file 0600 0:0 sha256:… (0 B)',
  knownFailure: "/socket.sock: missing",
  dockerfile: `
FROM scratch
COPY . /
`,
  files: { "socket.sock": { socket: true, mode: 0o600 } },
  expect: { files: { "/socket.sock": { type: "file" } } },
} satisfies BuildkitCase;
