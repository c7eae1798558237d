import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testExposeExpansion",
  upstream: UP.core,
  knownDifference:
    'config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/" | history: created_by: tsbuild "EXPOSE 3000/tcp 4000/udp", BuildKit "ARG PORTS=3000 4000/udp"; created_by: tsbuild "EXPOSE 5000/tcp", BuildKit "EXPOSE map[3000/tcp:{} 4000/udp:{}]"; entry only in BuildKit: "EXPOSE map[5000/tcp:{}]"',
  dockerfile: `
FROM scratch
ARG PORTS="3000 4000/udp"
EXPOSE $PORTS
EXPOSE 5000
`,
  expect: { config: { ExposedPorts: ["3000/tcp", "4000/udp", "5000/tcp"] } },
} satisfies BuildkitCase;
