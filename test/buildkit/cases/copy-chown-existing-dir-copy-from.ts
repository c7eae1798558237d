import { UP, type BuildkitCase } from "../harness/case";
import { chownExistingDirDockerfile } from "../harness/chown-existing-dir";

export default {
  name: "testCopyChownExistingDir",
  upstream: UP.copy,
  variant: "target copy_from",
  dockerfile: chownExistingDirDockerfile,
  dockerfileName: "Dockerfile.web",
  files: { Dockerfile: { symlink: "Dockerfile.web" } },
  buildFile: "Dockerfile",
  target: "copy_from",
  expect: {
    files: {
      "/file": { uid: 100, gid: 200 },
      "/dir": { uid: 0, gid: 0 },
      "/dir/subdir": { uid: 101, gid: 201 },
      "/existingdir": { uid: 500, gid: 600 },
      "/existingdir/subdir/nestedfile": { uid: 102, gid: 202 },
    },
  },
} satisfies BuildkitCase;
