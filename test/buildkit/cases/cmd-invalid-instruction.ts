import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDockerfileInvalidInstruction",
  upstream: UP.cmd,
  dockerfile: `
FROM scratch
FNTRYPOINT ["/bin/sh", "-c", "echo invalidinstruction"]
`,
  expect: { error: ["unknown instruction: FNTRYPOINT", "did you mean ENTRYPOINT?"] },
} satisfies BuildkitCase;
