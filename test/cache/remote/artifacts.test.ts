import {
  mergeIndex,
  emptyIndex,
  indexHas,
  parseStepManifest,
  stepManifest,
  stepTag,
} from "../../../src/cache/remote/artifacts";
import { parseMountTree } from "../../../src/cache/remote/mount-tree";

const D = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe("step artifacts", () => {
  const record = {
    key: "k1",
    layer: { digest: D(1), diffId: D(1), size: 10, mediaType: "application/vnd.oci.image.layer.v1.tar" },
    createdAt: "2026-01-01T00:00:00.000Z",
    lastUsedAt: "2026-01-02T00:00:00.000Z",
  };

  it("round-trips a record; the manifest does not change with lastUsedAt (same bytes, same digest)", () => {
    const bytes = stepManifest(record);
    expect(stepManifest({ ...record, lastUsedAt: "2027-01-01T00:00:00.000Z" })).toEqual(bytes);
    expect(parseStepManifest(bytes, "k1")).toMatchObject({ key: "k1", layer: record.layer });
    expect(stepTag("k1")).toMatch(/^step-[a-f0-9]{64}$/);
  });

  it("refuses a manifest for another key, or whose layers lack the record's layer", () => {
    const bytes = stepManifest(record);
    expect(parseStepManifest(bytes, "k2")).toBeUndefined();
    const m = JSON.parse(bytes.toString()) as { layers: unknown[] };
    m.layers = [];
    expect(parseStepManifest(Buffer.from(JSON.stringify(m)), "k1")).toBeUndefined();
    expect(parseStepManifest(Buffer.from("not json"), "k1")).toBeUndefined();
  });
});

describe("the shared index", () => {
  it("merges by ref name (a moved tag replaces its entry) and keeps other writers' entries", () => {
    const e = (tag: string, n: number) => ({
      mediaType: "m",
      digest: D(n),
      size: 1,
      annotations: { "org.opencontainers.image.ref.name": tag },
    });
    const a = mergeIndex(emptyIndex(), [e("step-a", 1), e("mount-x", 2)]);
    const b = mergeIndex(a, [e("step-b", 3), e("mount-x", 4)]);
    expect(b.manifests.map((m) => m.digest)).toEqual([D(1), D(4), D(3)]);
    expect(indexHas(b, [e("step-a", 1), e("step-b", 3)])).toBe(true);
    expect(indexHas(b, [e("mount-x", 2)])).toBe(false);
  });
});

describe("cache mount trees", () => {
  const dir = (p: string) => ({ type: "dir", path: p, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 });
  const file = (p: string) => ({
    type: "file",
    path: p,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeMs: 0,
    size: 1,
    chunks: [D(5)],
  });
  const tree = (entries: unknown[]) => Buffer.from(JSON.stringify({ version: 1, id: "npm", entries }));

  it("accepts parents before children", () => {
    expect(parseMountTree(tree([dir("a"), file("a/b"), file("c")]))?.entries).toHaveLength(3);
  });

  it("refuses paths a restore could be steered out of the mount by", () => {
    for (const bad of [
      [file("../etc/passwd")],
      [file("/etc/passwd")],
      [dir("a"), file("a/./b")],
      [file("a/b")], // parent is not a directory of the tree
      [{ type: "symlink", path: "l", target: "/etc", uid: 0, gid: 0 }, file("l/passwd")], // through a symlink
      [file("x"), file("x")],
      [{ ...file("x"), size: 5 * 1024 * 1024 }], // chunk count does not fit the size
    ])
      expect(parseMountTree(tree(bad))).toBeUndefined();
  });
});
