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
  buildkit2010: { skip: "upstream and 20.10 disagree: 20.10 has no tmpfs size= (\"unexpected key 'size'\")" },
} satisfies BuildkitCase;
