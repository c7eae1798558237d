import { UP, type BuildkitCase } from "../harness/case";
import { chownExistingDirDockerfile } from "../harness/chown-existing-dir";

export default {
  name: "testCopyChownExistingDir",
  upstream: UP.copy,
  knownDifference:
    'outcome: tsbuild failed: BuildError: RUN e="100:200"; p="/file"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi && e="0:0"; p="/dir"; a=`stat -c "%u:%g" "$p"`; if [ ": process ["/bin/sh","-c","e=\\"100:200\\"; p=\\"/file\\"; a=`stat -c \\"%u:%g\\" \\"$p\\"`; if [ \\"$a\\" != \\"$e\\" ]; then echo \\"incorrect ownership on $p. expected $e, got $a\\"; exit 1; fi && e=\\"0:0\\"; p=\\"/dir\\"; a=`stat -c \\"%u:%g\\" \\"$p\\"`; if [ \\"$a\\" != \\"$e\\" ]; then echo \\"incorrect ownership on $p. expected $e, got $a\\"; exit 1; fi && e=\\"101:201\\"; p=\\"/dir',
  knownFailure:
    'the build failed; upstream expects success: BuildError: RUN e="100:200"; p="/file"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi && e="0:0"; p="/dir"; a=`stat -c "%u:%g" "$p"`; if [ ": process ["/bin/sh","-c","e=\\"100:200\\"; p=',
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
