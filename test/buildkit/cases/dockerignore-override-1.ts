import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerignoreOverride",
  upstream: UP.dockerignore,
  variant: "Dockerfile with Dockerfile.dockerignore",
  dockerfile: "\nFROM {{busybox}}\nCOPY . .\nRUN [ -f foo ] && [ ! -f bar ]\n",

  files: {
    Dockerfile2: { content: "\nFROM {{busybox}}\nCOPY . .\nRUN [ ! -f foo ] && [ -f bar ]\n", mode: 0o600 },
    "Dockerfile.dockerignore": { content: "\nbar\n", mode: 0o600 },
    "Dockerfile2.dockerignore": { content: "\nfoo\n", mode: 0o600 },
    foo: { content: "contents0", mode: 0o600 },
    bar: { content: "contents0", mode: 0o600 },
  },
  expect: { files: { "/foo": { type: "file" }, "/bar": { exists: false } } },
} satisfies BuildkitCase;
