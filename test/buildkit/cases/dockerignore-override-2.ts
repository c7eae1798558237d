import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerignoreOverride",
  upstream: UP.dockerignore,
  variant: "-f Dockerfile2 with Dockerfile2.dockerignore",
  dockerfile: "\nFROM {{busybox}}\nCOPY . .\nRUN [ ! -f foo ] && [ -f bar ]\n",
  dockerfileName: "Dockerfile2",
  files: {
    Dockerfile: { content: "\nFROM {{busybox}}\nCOPY . .\nRUN [ -f foo ] && [ ! -f bar ]\n", mode: 0o600 },
    "Dockerfile.dockerignore": { content: "\nbar\n", mode: 0o600 },
    "Dockerfile2.dockerignore": { content: "\nfoo\n", mode: 0o600 },
    foo: { content: "contents0", mode: 0o600 },
    bar: { content: "contents0", mode: 0o600 },
  },
  expect: { files: { "/bar": { type: "file" }, "/foo": { exists: false } } },
} satisfies BuildkitCase;
