import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountTmpfsSize",
  upstream: UP.mount,
  knownFailure:
    'the build failed; upstream expects success: ExecutorError: set up the sandbox for RUN ["/bin/sh","-c","mount | grep /dev/shm > /tmpfssize"]: mkdir: cannot create directory \'<tmp>/root/dev/shm\': File exists create directory <tmp>/root/dev/',
  dockerfile: `
FROM {{busybox}} AS base
RUN --mount=type=tmpfs,target=/dev/shm,size=128m mount | grep /dev/shm > /tmpfssize
FROM scratch
COPY --from=base /tmpfssize /
`,
  expect: { files: { "/tmpfssize": { contains: ["size=131072k"] } } },
  buildkit2010: { skip: "upstream and 20.10 disagree: 20.10 has no tmpfs size= (\"unexpected key 'size'\")" },
} satisfies BuildkitCase;
