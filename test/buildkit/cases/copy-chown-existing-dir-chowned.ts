import { UP, type BuildkitCase } from "../harness/case";
import { chownExistingDirDockerfile } from "../harness/chown-existing-dir";

export default {
  name: "testCopyChownExistingDir",
  upstream: UP.copy,
  knownDifference:
    'outcome: tsbuild failed: BuildError: RUN e="300:400"; p="/file"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi && e="300:400"; p="/dir"; a=`stat -c "%u:%g" "$p"`; if: process ["/bin/sh","-c","e=\\"300:400\\"; p=\\"/file\\"; a=`stat -c \\"%u:%g\\" \\"$p\\"`; if [ \\"$a\\" != \\"$e\\" ]; then echo \\"incorrect ownership on $p. expected $e, got $a\\"; exit 1; fi && e=\\"300:400\\"; p=\\"/dir\\"; a=`stat -c \\"%u:%g\\" \\"$p\\"`; if [ \\"$a\\" != \\"$e\\" ]; then echo \\"incorrect ownership on $p. expected $e, got $a\\"; exit 1; fi && e=\\"300:400\\"; p=\\"',
  knownFailure:
    'the build failed; upstream expects success: BuildError: RUN e="300:400"; p="/file"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi && e="300:400"; p="/dir"; a=`stat -c "%u:%g" "$p"`; if: process ["/bin/sh","-c","e=\\"300:400\\"; p=',
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
