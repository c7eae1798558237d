/**
 * COPY reads stacked layers through LayerView; RUN sees them through a kernel overlay mount.
 * They used to apply different rules (COPY honoured user.overlay.opaque, RUN did not; each had
 * its own symlink resolver). These tests put the same layer dirs under both and compare.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { setAttributeSync } from "@napi-rs/xattr";
import { LayerView } from "../../src/rootfs/layer-view";
import { diffUpperDir } from "../../src/rootfs/diff";
import { applyLayer } from "../../src/rootfs/unpack/apply-layer";
import { buildLayer } from "../../src/image/build-layer";
import { TempDirs, writeTree } from "../copy/support";

const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

/** Every path under the root of an overlay of `lowers` (top first), as the kernel shows it. */
function kernelListing(lowers: string[], script = ""): string[] {
  const dir = tmp.make();
  const merged = path.join(dir, "m");
  const upper = path.join(dir, "u");
  const work = path.join(dir, "w");
  for (const d of [merged, upper, work]) fs.mkdirSync(d);
  const out = execFileSync(
    "unshare",
    [
      "--mount",
      "--fork",
      "sh",
      "-c",
      'mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4" && cd "$4" && ' +
        `{ ${script || ":"}; } && find . -mindepth 1 | sort`,
      "sh",
      lowers.join(":"),
      upper,
      work,
      merged,
    ],
    { encoding: "utf8" },
  );
  return out
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.slice(2));
}

function viewListing(view: LayerView): string[] {
  return [...view.walk("/")]
    .map((e) => e.path)
    .filter((p) => p !== ".")
    .sort();
}

function layers(): string[] {
  const root = tmp.make();
  const lower = writeTree(path.join(root, "lower"), {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
    "etc/gone": "deleted above",
    "trusted/old": "hidden by a trusted opaque dir",
    "user/old": "NOT hidden: user.overlay.opaque means nothing to a root overlay mount",
    "dir-then-file/x": "hidden",
    "usr/bin/tool": "tool",
  });
  const upper = writeTree(path.join(root, "upper"), {
    "etc/gone": { whiteout: true },
    trusted: { dir: true, opaque: true },
    "trusted/new": "new",
    user: { dir: true },
    "user/new": "new",
    "dir-then-file": "now a file",
  });
  setAttributeSync(path.join(upper, "user"), "user.overlay.opaque", "y");
  return [upper, lower];
}

describe("COPY's view and RUN's overlay agree (as root)", () => {
  test("whiteouts, opaque directories and shadowing", () => {
    const stack = layers();
    const view = new LayerView(stack);
    expect(viewListing(view)).toEqual(kernelListing(stack));
    expect(view.exists("/user/old")).toBe(true);
    expect(view.exists("/trusted/old")).toBe(false);
  });

  test("a RUN's upper dir, diffed and unpacked as a layer, reads back as the kernel merged it", async () => {
    const stack = layers();
    const dir = tmp.make();
    const upper = path.join(dir, "upper");
    const work = path.join(dir, "work");
    const merged = path.join(dir, "merged");
    for (const d of [upper, work, merged]) fs.mkdirSync(d);
    const change = "rm -rf usr/bin && mkdir usr/bin && echo x > usr/bin/other && rm etc/passwd";
    execFileSync("unshare", [
      "--mount",
      "--fork",
      "sh",
      "-c",
      `mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4" && cd "$4" && ${change}`,
      "sh",
      stack.join(":"),
      upper,
      work,
      merged,
    ]);
    const layer = await buildLayer(diffUpperDir(upper), { dir, compression: "uncompressed" });
    const unpacked = path.join(dir, "as-layer");
    await applyLayer(fs.createReadStream(layer.info.path), unpacked, {
      whiteoutMode: "overlay",
      devices: "create",
    });
    const after = [unpacked, ...stack];
    expect(viewListing(new LayerView(after))).toEqual(kernelListing(after));
    expect(viewListing(new LayerView(after))).toEqual(kernelListing(stack, change));
  });

  test("symlinks: one resolver, chroot semantics, one hop limit", () => {
    const root = tmp.make();
    const top = writeTree(path.join(root, "top"), {
      "etc/passwd": "x",
      "links/abs": { symlink: "/etc" },
      "links/up": { symlink: "../../../../etc/passwd" },
      "links/loop1": { symlink: "loop2" },
      "links/loop2": { symlink: "loop1" },
    });
    const view = new LayerView([top]);
    expect(view.resolve("/links/abs/passwd").path).toBe("etc/passwd");
    expect(view.resolve("/links/up").path).toBe("etc/passwd");
    expect(view.resolve("/links/up", { followLast: false }).path).toBe("links/up");
    expect(view.resolve("/../../x/../links/abs/missing/deeper").path).toBe("etc/missing/deeper");
    expect(() => view.resolve("/links/loop1")).toThrow(
      expect.objectContaining({ code: "ROOTFS_SYMLINK_LOOP" }),
    );
  });
});
