import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileLowercase",
  upstream: UP.core,
  dockerfile: "\nFROM scratch\n",
  dockerfileName: null,
  files: { dockerfile: { content: "\nFROM scratch\n", mode: 0o600 } },
  expect: {},
} satisfies BuildkitCase;
