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
  compareIgnore: {
    fields: ["rootfs:/context"],
    reason:
      "upstream and 20.10 disagree: 20.10 leaves the bind mount point /context in the image; upstream removes mount stubs",
  },
} satisfies BuildkitCase;
