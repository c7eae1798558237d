import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testUserAdditionalGids",
  upstream: UP.user,
  dockerfile: `
# Mimics the tests in https://github.com/containerd/containerd/commit/3eda46af12b1deedab3d0802adb2e81cb3521950
FROM {{busybox}}
SHELL ["/bin/sh", "-euxc"]
RUN [ "$(id)" = "uid=0(root) gid=0(root) groups=0(root),10(wheel)" ]
USER 1234
RUN [ "$(id)" = "uid=1234 gid=0(root) groups=0(root)" ]
USER 1234:1234
RUN [ "$(id)" = "uid=1234 gid=1234 groups=1234" ]
USER daemon
RUN [ "$(id)" = "uid=1(daemon) gid=1(daemon) groups=1(daemon)" ]
`,
  expect: { config: { User: "daemon", Shell: ["/bin/sh", "-euxc"] } },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 runs RUN as root without the supplementary group wheel (id check fails; upstream's CVE-2023-25173 fix)",
  },
} satisfies BuildkitCase;
