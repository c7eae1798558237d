import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testExposeExpansion",
  upstream: UP.core,
  dockerfile: `
FROM scratch
ARG PORTS="3000 4000/udp"
EXPOSE $PORTS
EXPOSE 5000
`,
  expect: { config: { ExposedPorts: ["3000/tcp", "4000/udp", "5000/tcp"] } },
} satisfies BuildkitCase;
