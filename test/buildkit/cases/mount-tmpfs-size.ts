import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testMountTmpfsSize",
  upstream: UP.mount,
  dockerfile: `
FROM {{busybox}} AS base
RUN --mount=type=tmpfs,target=/dev/shm,size=128m mount | grep /dev/shm > /tmpfssize
FROM scratch
COPY --from=base /tmpfssize /
`,
  expect: { files: { "/tmpfssize": { contains: ["size=131072k"] } } },
} satisfies BuildkitCase;
