import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountContext",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}}
RUN --mount=target=/context [ "$(cat /context/testfile)" == "contents0" ]
`,
  files: { testfile: { content: "contents0", mode: 0o600 } },
  expect: { files: { "/context": { exists: false } } },
  note: "The absence of /context afterwards is the suite's addition: a mount point leaves nothing in the image.",
} satisfies BuildkitCase;
