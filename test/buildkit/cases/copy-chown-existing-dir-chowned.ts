import { UP, type BuildkitCase } from "../harness/case";
import { chownExistingDirDockerfile } from "../harness/chown-existing-dir";

export default {
  name: "testCopyChownExistingDir",
  upstream: UP.copy,
  variant: "default target copy_from_chowned",
  dockerfile: chownExistingDirDockerfile,
  dockerfileName: "Dockerfile.web",
  files: { Dockerfile: { symlink: "Dockerfile.web" } },
  buildFile: "Dockerfile",
  expect: {
    files: {
      "/file": { uid: 300, gid: 400 },
      "/dir": { uid: 300, gid: 400 },
      "/dir/subdir/nestedfile": { uid: 300, gid: 400 },
      "/existingdir": { uid: 500, gid: 600 },
      "/existingdir/existingfile": { uid: 501, gid: 601 },
      "/existingdir/subdir": { uid: 300, gid: 400 },
    },
  },
} satisfies BuildkitCase;
