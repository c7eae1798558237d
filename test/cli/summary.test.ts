import { formatSummary } from "../../src/cli/progress/summary";
import type { BuildResult } from "../../src/engine/build-options";

// Only the fields formatSummary reads; the rest of a BuildResult does not matter here.
function result(mediaTypes: string[]): BuildResult {
  return {
    steps: [{ cached: true }, { cached: false }],
    durationMs: 1500,
    digest: "sha256:" + "a".repeat(64),
    configDigest: "sha256:" + "b".repeat(64),
    manifest: {
      layers: mediaTypes.map((mediaType, i) => ({ mediaType, size: 1000 * (i + 1), digest: `sha256:${i}` })),
    },
    outputs: [],
  } as unknown as BuildResult;
}

test("the summary says compressed only of compressed layers", () => {
  const tar = "application/vnd.oci.image.layer.v1.tar";
  expect(formatSummary(result([tar, tar]), ["x"])).toMatch(/layers {4}2 \([^)]* uncompressed\)/);
  expect(formatSummary(result([`${tar}+gzip`, `${tar}+zstd`]), ["x"])).toMatch(
    /layers {4}2 \([^)]* compressed\)/,
  );
  expect(formatSummary(result(["application/vnd.docker.image.rootfs.diff.tar.gzip"]), [])).toMatch(
    /layers {4}1 \([^)]* compressed\)/,
  );
  expect(formatSummary(result([tar, `${tar}+gzip`]), [])).toMatch(/layers {4}2 \([^) ]*\)/);
});
