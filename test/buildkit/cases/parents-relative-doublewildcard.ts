import { UP, type BuildkitCase } from "../harness/case";
import { relativeParentsDockerfile } from "../harness/relative-parents";

export default {
  name: "testCopyRelativeParents",
  upstream: UP.parents,
  variant: "target doublewildcard",
  dockerfile: relativeParentsDockerfile,
  target: "doublewildcard",
  expect: {},
  buildkit2010: { skip: "COPY --parents and heredocs need Dockerfile frontend 1.7-labs (20.10 has 1.2)" },
} satisfies BuildkitCase;
