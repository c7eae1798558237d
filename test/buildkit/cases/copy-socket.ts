import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopySocket",
  upstream: UP.copy,
  dockerfile: `
FROM scratch
COPY . /
`,
  files: { "socket.sock": { socket: true, mode: 0o600 } },
  expect: { files: { "/socket.sock": { type: "file" } } },
} satisfies BuildkitCase;
