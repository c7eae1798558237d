import * as fs from "node:fs";
import * as path from "node:path";
import { getAttributeSync, listAttributesSync, setAttributeSync } from "@napi-rs/xattr";
import { openContext } from "../../src/context";
import { copyLayerEntries } from "../../src/copy/copy-layer";
import type { CopySpec } from "../../src/copy/copy-spec";
import type { LayerEntry } from "../../src/image/layer-entry";
import { layerTar } from "../../src/image/layer-tar";
import { LayerView } from "../../src/rootfs/layer-view";
import { applyLayer } from "../../src/rootfs/unpack/apply-layer";
import { rawTar } from "../hostile/layers";
import { TempDirs, copyStep, writeTree } from "./support";

/**
 * COPY carries xattrs as BuildKit's copy does: from the context or a stage into the layer (PAX
 * SCHILY.xattr records), and back onto the files when the layer is unpacked.
 */
const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

// A VFS capability (cap_net_bind_service, effective): what setcap writes.
const CAP = Buffer.from("0100000200040000000000000000000000000000", "hex");

async function entriesOf(
  spec: Partial<CopySpec> & Pick<CopySpec, "sources" | "dest">,
  contextDir: string,
  sourceView?: LayerView,
): Promise<LayerEntry[]> {
  const root = tmp.make();
  const out: LayerEntry[] = [];
  const entries = await copyLayerEntries(copyStep(spec), {
    context: await openContext(contextDir),
    destView: new LayerView([writeTree(path.join(root, "dest"), {})]),
    tmpDir: path.join(root, "tmp"),
    sourceDateEpoch: 1_700_000_000,
    ...(sourceView ? { sourceView } : {}),
  });
  for await (const e of entries) out.push(e);
  return out;
}

const xattrsOf = (entries: LayerEntry[], p: string): Record<string, string> | undefined => {
  const e = entries.find((x) => x.path === p);
  if (e === undefined || !("xattrs" in e) || e.xattrs === undefined) return undefined;
  return Object.fromEntries(Object.entries(e.xattrs).map(([k, v]) => [k, v.toString("hex")]));
};

test("context → layer → unpacked → COPY --from: user.* and security.capability survive", async () => {
  const ctx = writeTree(tmp.make(), { "bin/tool": "#!/bin/sh\n", "plain.txt": "p", "d/inner": "i" });
  setAttributeSync(path.join(ctx, "bin/tool"), "user.origin", Buffer.from("ctx"));
  setAttributeSync(path.join(ctx, "bin/tool"), "security.capability", CAP);
  setAttributeSync(path.join(ctx, "d"), "user.dir", Buffer.from("yes"));

  const layer = await entriesOf({ sources: ["bin", "plain.txt", "d"], dest: "/app/" }, ctx);
  expect(xattrsOf(layer, "app/tool")).toEqual({
    "user.origin": Buffer.from("ctx").toString("hex"),
    "security.capability": CAP.toString("hex"),
  });
  expect(xattrsOf(layer, "app/plain.txt")).toBeUndefined();
  expect(xattrsOf(layer, "app/d")).toBeUndefined(); // `d`'s contents go in, not `d` itself
  const withDir = await entriesOf({ sources: ["d"], dest: "/d2" }, ctx);
  expect(xattrsOf(withDir, "d2/inner")).toBeUndefined();

  // The layer as tar, unpacked as a stage's lower dir, then read by COPY --from.
  const stage = tmp.make();
  await applyLayer(layerTar(layer), stage);
  const tool = path.join(stage, "app/tool");
  expect(getAttributeSync(tool, "user.origin")?.toString()).toBe("ctx");
  expect(getAttributeSync(tool, "security.capability")?.equals(CAP)).toBe(true);
  expect(listAttributesSync(path.join(stage, "app/plain.txt"))).toEqual([]);

  setAttributeSync(path.join(stage, "app"), "user.dir", Buffer.from("app"));
  // overlayfs bookkeeping in a lower dir is never content.
  setAttributeSync(path.join(stage, "app"), "trusted.overlay.opaque", Buffer.from("y"));
  const fromStage = await entriesOf(
    { sources: ["/app"], dest: "/copied", source: { kind: "stage", stage: 0 } },
    writeTree(tmp.make(), {}),
    new LayerView([stage]),
  );
  expect(xattrsOf(fromStage, "copied/tool")).toEqual({
    "user.origin": Buffer.from("ctx").toString("hex"),
    "security.capability": CAP.toString("hex"),
  });
  expect(xattrsOf(fromStage, "copied/plain.txt")).toBeUndefined();
});

test("ADD of a local tar keeps its xattrs (binary security.capability too), never overlayfs' own", async () => {
  const ctx = writeTree(tmp.make(), {});
  fs.writeFileSync(
    path.join(ctx, "rootfs.tar"),
    rawTar([
      { name: "ping", data: "ELF", mode: 0o755, pax: { "SCHILY.xattr.security.capability": CAP } },
      { name: "notes", data: "n", pax: { "SCHILY.xattr.user.note": "kept" } },
      { name: "lib/", type: "5", mode: 0o755, pax: { "SCHILY.xattr.trusted.overlay.opaque": "y" } },
      { name: "plain", data: "p" },
    ]),
  );
  const layer = await entriesOf(
    { instruction: "ADD", unpack: true, sources: ["rootfs.tar"], dest: "/" },
    ctx,
  );
  expect(xattrsOf(layer, "ping")).toEqual({ "security.capability": CAP.toString("hex") });
  expect(xattrsOf(layer, "notes")).toEqual({ "user.note": Buffer.from("kept").toString("hex") });
  expect(xattrsOf(layer, "lib")).toBeUndefined();
  expect(xattrsOf(layer, "plain")).toBeUndefined();
});

test("a context file's xattr is part of its fingerprint", async () => {
  const ctx = writeTree(tmp.make(), { "a.txt": "A" });
  const fingerprint = async (): Promise<string> => {
    const context = await openContext(ctx);
    return context.fingerprint(context.resolveSources(["a.txt"]));
  };
  const before = await fingerprint();
  expect(await fingerprint()).toBe(before);
  setAttributeSync(path.join(ctx, "a.txt"), "user.note", Buffer.from("1"));
  const after = await fingerprint();
  expect(after).not.toBe(before);
  setAttributeSync(path.join(ctx, "a.txt"), "user.note", Buffer.from("2"));
  expect(await fingerprint()).not.toBe(after);
  fs.rmSync(ctx, { recursive: true, force: true });
});
