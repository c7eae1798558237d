import { UP, type BuildkitCase } from "../harness/case";
import { relativeParentsDockerfile } from "../harness/relative-parents";

export default {
  name: "testCopyRelativeParents",
  upstream: UP.parents,
  knownFailure:
    'the build failed; upstream expects success: BuildError: RUN <<eot: process ["/bin/sh","-c","\\tset -ex\\n\\t[ -d /out/c/d/e ]\\n\\t[ -f /out/c/d/e/bay ] # via b\\n\\t[ -f /out/c/d/e/bar ] # via b2\\n"] did not complete successfully: exit code 1 + \'[\' -d /out/c/d/e ]',
  variant: "target doublewildcard",
  dockerfile: relativeParentsDockerfile,
  target: "doublewildcard",
  expect: {},
  buildkit2010: { skip: "COPY --parents and heredocs need Dockerfile frontend 1.7-labs (20.10 has 1.2)" },
} satisfies BuildkitCase;
