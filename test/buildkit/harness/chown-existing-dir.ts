/**
 * The Dockerfile of upstream's testCopyChownExistingDir (dockerfile_copy_test.go), written out
 * once for its two targets: each `RUN` checks `stat -c "%u:%g"` of a path against upstream's value.
 */
const check = (pairs: [string, string][]) =>
  "RUN " +
  pairs
    .map(
      ([e, p]) =>
        `e="${e}"; p="${p}"; a=\`stat -c "%u:%g" "$p"\`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi`,
    )
    .join(" \\\n && ");

export const chownExistingDirDockerfile = `
# Set up files and directories with known ownership
FROM {{busybox}} AS source
RUN touch /file && chown 100:200 /file \\
 && mkdir -p /dir/subdir \\
 && touch /dir/subdir/nestedfile \\
 && chown 100:200 /dir \\
 && chown 101:201 /dir/subdir \\
 && chown 102:202 /dir/subdir/nestedfile

FROM {{busybox}} AS test_base
RUN mkdir -p /existingdir/existingsubdir \\
 && touch /existingdir/existingfile \\
 && chown 500:600 /existingdir \\
 && chown 501:601 /existingdir/existingsubdir \\
 && chown 501:601 /existingdir/existingfile

# Copy files from the source stage
FROM test_base AS copy_from
COPY --from=source /file .
# Copy to a non-existing target directory creates the target directory (as root), then copies the _contents_ of the source directory into it
COPY --from=source /dir /dir
# Copying to an existing target directory will copy the _contents_ of the source directory into it
COPY --from=source /dir/. /existingdir

${check([
  ["100:200", "/file"],
  ["0:0", "/dir"],
  ["101:201", "/dir/subdir"],
  ["102:202", "/dir/subdir/nestedfile"],
  ["500:600", "/existingdir"],
  ["501:601", "/existingdir/existingsubdir"],
  ["501:601", "/existingdir/existingfile"],
  ["101:201", "/existingdir/subdir"],
  ["102:202", "/existingdir/subdir/nestedfile"],
])}

# Copy files from the source stage and chown them.
FROM test_base AS copy_from_chowned
COPY --from=source --chown=300:400 /file .
COPY --from=source --chown=300:400 /dir /dir
COPY --from=source --chown=300:400 /dir/. /existingdir

${check([
  ["300:400", "/file"],
  ["300:400", "/dir"],
  ["300:400", "/dir/subdir"],
  ["300:400", "/dir/subdir/nestedfile"],
  ["500:600", "/existingdir"],
  ["501:601", "/existingdir/existingsubdir"],
  ["501:601", "/existingdir/existingfile"],
  ["300:400", "/existingdir/subdir"],
  ["300:400", "/existingdir/subdir/nestedfile"],
])}
`;
