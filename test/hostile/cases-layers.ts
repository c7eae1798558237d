import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { getXattr } from "../../src/rootfs/xattrs";
import { rawXattrRecords } from "../../src/rootfs/unpack/pax-raw";
import type { CaseEnv, HostileCase } from "./harness";
import { SECRET_TEXT } from "./harness";
import { gzipBombLayer, rawTar, type LayerSpec, type RawEntry } from "./layers";

/**
 * Layer tars from a hostile registry: each case pushes a hand-made image (on the suite's busybox)
 * and builds FROM it with a RUN (the layers are unpacked as overlay lower dirs in the cache) and,
 * for C/OK, a local export (the layers applied with whiteouts into one tree).
 */
const run = (e: CaseEnv, extra = ""): { Dockerfile: string } => ({
  Dockerfile: `FROM ${e.image}\nRUN true\n${extra}`,
});
const layer = (entries: RawEntry[], gzip = true): { tar: Buffer; gzip: boolean } => ({
  tar: rawTar(entries),
  gzip,
});
const onBusybox = (...layers: LayerSpec[]) => ({
  layers,
  busybox: true,
});

/** A `security.capability` value (VFS_CAP_REVISION_2, cap_setuid|cap_net_raw|cap_sys_admin permitted, effective) with bytes ≥ 0x80. */
export const CAP_VALUE = Buffer.from([
  0x01, 0x00, 0x00, 0x02, 0x80, 0x20, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00,
]);

/** Whether `file` inside `out` holds the sentinel's secret. */
function noSecretUnder(out: string): void {
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    else if (st.isFile()) expect(fs.readFileSync(p, "utf8")).not.toContain(SECRET_TEXT.trim());
  };
  walk(out);
}

/** The entries of the last layer of an OCI layout at `dir` (uncompressed), with raw PAX xattrs. */
export function lastLayerXattrs(dir: string): Map<string, Record<string, Buffer>> {
  const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8")) as {
    manifests: Array<{ digest: string }>;
  };
  const blob = (d: string): Buffer => fs.readFileSync(path.join(dir, "blobs", ...d.split(":")));
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString()) as {
    layers: Array<{ digest: string; mediaType: string }>;
  };
  const last = manifest.layers[manifest.layers.length - 1];
  let tar = blob(last.digest);
  if (last.mediaType.endsWith("+gzip")) tar = zlib.gunzipSync(tar);
  const out = new Map<string, Record<string, Buffer>>();
  let pending: Record<string, Buffer> | undefined;
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(h.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(h[156]);
    const data = tar.subarray(off + 512, off + 512 + size);
    if (type === "x") pending = rawXattrRecords(data);
    else {
      if (pending) out.set(name, pending);
      pending = undefined;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

export const LAYER_CASES: HostileCase[] = [
  {
    id: "layer-dotdot",
    outcome: "E",
    title: "a layer entry ../x",
    anchor: "extraction outside the root (umoci CVE-2021-29136, containerd CVE-2021-32760 class)",
    image: () => onBusybox(layer([{ name: "../escaped", data: "x" }])),
    context: run,
    error: /escaped|\.\./,
  },
  {
    id: "layer-dotdot-inner",
    outcome: "E",
    title: "a layer entry a/../../x",
    anchor: "a `..` hidden after a normal segment",
    image: () => onBusybox(layer([{ name: "a/../../../escaped", data: "x" }])),
    context: run,
    error: /escaped|\.\./,
  },
  {
    id: "layer-absolute-dotdot",
    outcome: "E",
    title: "a layer entry /../x (absolute, then up)",
    anchor: "an absolute name cleaned against the host root",
    image: () => onBusybox(layer([{ name: "/../../abs-escaped", data: "x" }])),
    context: run,
    error: /refuse entry \/\.\.\/\.\.\/abs-escaped: path climbs above the target root/,
  },
  {
    id: "layer-hardlink-out",
    outcome: "E",
    title: "a hard link to ../../x",
    anchor: "hard links to host files (Docker CVE-2018-15664 class)",
    image: () => onBusybox(layer([{ name: "h", type: "1", linkname: "../../../../../../etc/passwd" }])),
    context: run,
    error: /hardlink|hard link/,
  },
  {
    id: "layer-hardlink-host-path",
    outcome: "E",
    title: "a hard link to the sentinel's absolute host path",
    anchor: "an absolute link target resolved on the host",
    image: (e) => onBusybox(layer([{ name: "h", type: "1", linkname: e.secret }])),
    context: run,
    error: /hardlink|hard link/,
  },
  {
    id: "layer-prefix-sibling",
    outcome: "C",
    title: "dest/link -> ../dest-evil, then dest/link/f in the next layer; COPY --from",
    anchor: "string-prefix containment: `dest` accepted for `dest-evil` (umoci, Docker cp)",
    image: () =>
      onBusybox(
        layer([
          { name: "dest/", type: "5" },
          { name: "dest-evil/", type: "5" },
          { name: "dest/link", type: "2", linkname: "../dest-evil" },
        ]),
        layer([{ name: "dest/link/f", data: "through" }]),
      ),
    context: (e) => run(e, `FROM scratch\nCOPY --from=0 /dest /copied\nCOPY --from=0 /dest-evil /evil\n`),
    // Each layer is unpacked into its own directory, so the second layer's dest/link is a directory
    // over the lower symlink (overlayfs: the upper directory wins); nothing leaves the root.
    check: (_r, out) => {
      expect(fs.readFileSync(path.join(out, "copied/link/f"), "utf8")).toBe("through");
      expect(fs.readdirSync(path.join(out, "evil"))).toEqual([]);
    },
  },
  {
    id: "layer-symlink-then-file",
    outcome: "C",
    title: "etc -> the sentinel's host dir, then etc/passwd",
    anchor: "writing through a symlink planted earlier in the same layer (CVE-2021-29136 class)",
    image: (e) =>
      onBusybox(
        layer([
          { name: "etc", type: "2", linkname: path.join(e.sentinel, "etc") },
          { name: `.${e.sentinel}/etc/`, type: "5" },
          { name: "etc/passwd", data: "pwned\n" },
        ]),
      ),
    context: run,
    check: (_r, out, e) => {
      expect(fs.readFileSync(path.join(out, e.sentinel, "etc/passwd"), "utf8")).toBe("pwned\n");
    },
  },
  {
    id: "layer-symlink-relative-up",
    outcome: "C",
    title: "up -> ../../../../../.., then up/<sentinel>/secret",
    anchor: "a relative symlink climbing above the root",
    image: (e) =>
      onBusybox(
        layer([
          { name: "up", type: "2", linkname: "../../../../../../../../../.." },
          { name: `up${e.sentinel}/`, type: "5" },
          { name: `up${e.secret}`, data: "overwritten\n" },
        ]),
      ),
    context: run,
    check: (_r, out, e) => expect(fs.readFileSync(path.join(out, e.secret), "utf8")).toBe("overwritten\n"),
  },
  {
    id: "layer-symlink-chain",
    outcome: "C",
    title: "a -> b -> /c/../d -> ../../.. chain, then a/x",
    anchor: "resolution that stops checking after the first hop",
    image: () =>
      onBusybox(
        layer([
          { name: "a", type: "2", linkname: "b" },
          { name: "b", type: "2", linkname: "/c/../d" },
          { name: "d", type: "2", linkname: "../../../../chained" },
          { name: "chained/", type: "5" },
          { name: "a/x", data: "chain" },
        ]),
      ),
    context: run,
    check: (_r, out) => expect(fs.readFileSync(path.join(out, "chained/x"), "utf8")).toBe("chain"),
  },
  {
    id: "layer-symlink-loop",
    outcome: "E",
    title: "loop1 -> loop2 -> loop1, then loop1/x",
    anchor: "endless resolution (ELOOP spin)",
    image: () =>
      onBusybox(
        layer([
          { name: "loop1", type: "2", linkname: "loop2" },
          { name: "loop2", type: "2", linkname: "loop1" },
          { name: "loop1/x", data: "x" },
        ]),
      ),
    context: run,
    error: /too many levels of symbolic links|symlink/i,
  },
  {
    id: "layer-root-dot-symlink",
    outcome: "E",
    title: "the layer's root `.` as a symlink to the sentinel, then ./x",
    anchor: "replacing the extraction root itself (Kaniko symlink bugs)",
    image: (e) =>
      onBusybox(
        layer([
          { name: "./", type: "2", linkname: e.sentinel },
          { name: "./x", data: "x" },
        ]),
      ),
    context: run,
    error: /root/,
  },
  {
    id: "layer-type-changes",
    outcome: "C",
    title: "file -> dir -> symlink -> file across three layers",
    anchor: "stale state when a path changes type between layers",
    image: (e) =>
      onBusybox(
        layer([
          { name: "a", data: "file" },
          { name: "b/", type: "5" },
          { name: "b/f", data: "in b" },
        ]),
        layer([
          { name: "a/", type: "5" },
          { name: "a/in", data: "now a dir" },
          { name: "b", type: "2", linkname: e.sentinel },
        ]),
        layer([
          { name: "a", type: "2", linkname: "/b" },
          { name: "b/g", data: "through b" },
        ]),
      ),
    context: run,
    check: (_r, out, e) => {
      expect(fs.readlinkSync(path.join(out, "a"))).toBe("/b");
      expect(fs.readlinkSync(path.join(out, "b"))).toBe(e.sentinel);
      expect(fs.readFileSync(path.join(out, e.sentinel, "g"), "utf8")).toBe("through b");
    },
  },
  {
    id: "layer-setuid",
    outcome: "OK",
    title: "setuid and setgid files, a sticky directory",
    anchor: "mode bits lost or widened through unpack and export",
    image: () =>
      onBusybox(
        layer([
          { name: "s/", type: "5", mode: 0o1777 },
          { name: "s/su", data: "#!", mode: 0o4755 },
          { name: "s/wall", data: "#!", mode: 0o2711, gid: 5 },
        ]),
      ),
    context: (e) => run(e, "RUN test -u /s/su && test -g /s/wall && test -k /s\n"),
    check: (_r, out) => {
      expect(fs.statSync(path.join(out, "s/su")).mode & 0o7777).toBe(0o4755);
      expect(fs.statSync(path.join(out, "s/wall")).mode & 0o7777).toBe(0o2711);
      expect(fs.statSync(path.join(out, "s/wall")).gid).toBe(5);
      expect(fs.statSync(path.join(out, "s")).mode & 0o7777).toBe(0o1777);
    },
  },
  {
    id: "layer-device-nodes",
    outcome: "C",
    title: "block device 8:0, char devices 1:1 (mem) and 1:2 (kmem) in a layer",
    anchor: "raw host disk or memory reachable through a node from an image",
    image: () =>
      onBusybox(
        layer([
          { name: "disk", type: "4", devmajor: 8, devminor: 0, mode: 0o666 },
          { name: "mem", type: "3", devmajor: 1, devminor: 1, mode: 0o666 },
          { name: "kmem", type: "3", devmajor: 1, devminor: 2, mode: 0o666 },
        ]),
      ),
    context: (e) =>
      run(e, "RUN for d in /disk /mem /kmem; do if head -c 1 $d >/dev/null 2>&1; then exit 1; fi; done\n"),
    check: (_r, out) => {
      for (const n of ["disk", "mem", "kmem"]) expect(fs.existsSync(path.join(out, n))).toBe(false);
    },
  },
  {
    id: "layer-pax-path-dotdot",
    outcome: "E",
    title: "a PAX path record ../../x overriding an innocent ustar name",
    anchor: "checks on the ustar name while the PAX name is used",
    image: () => onBusybox(layer([{ name: "innocent", data: "x", pax: { path: "../../pax-escaped" } }])),
    context: run,
    error: /pax-escaped|\.\./,
  },
  {
    id: "layer-pax-path-host",
    outcome: "C",
    title: "a PAX path record naming the sentinel's secret",
    anchor: "an absolute PAX name written on the host",
    image: (e) => onBusybox(layer([{ name: "innocent", data: "pax\n", pax: { path: e.secret } }])),
    context: run,
    check: (_r, out, e) => {
      expect(fs.readFileSync(path.join(out, e.secret), "utf8")).toBe("pax\n");
      expect(fs.existsSync(path.join(out, "innocent"))).toBe(false);
      noSecretUnder(out);
    },
  },
  {
    id: "layer-pax-linkpath",
    outcome: "E",
    title: "a PAX linkpath to the host secret; COPY --from of the link",
    anchor: "a symlink followed on the host when copied out of an image",
    image: (e) =>
      onBusybox(layer([{ name: "l", type: "2", linkname: "harmless", pax: { linkpath: e.secret } }])),
    // COPY follows a source symlink (as BuildKit), but inside the stage's root, where it is missing.
    context: (e) => run(e, "FROM scratch\nCOPY --from=0 /l /l\n"),
    error: /Dockerfile:4:1: .*copy from stage 0: \/l not found/,
  },
  {
    id: "layer-gnu-sparse",
    outcome: "E",
    title: "an old GNU sparse entry (type S)",
    anchor: "an entry type written as something else",
    image: () => onBusybox(layer([{ name: "sparse", type: "S", data: "x".repeat(100) }])),
    context: run,
    error: /unsupported tar entry type|sparse/,
  },
  {
    id: "layer-size-lies-huge",
    outcome: "E",
    title: "a header claiming 1 TiB for 1 KiB of data",
    anchor: "preallocation or a wait for data that never comes",
    image: () =>
      onBusybox({
        tar: rawTar(
          [{ name: "big", data: "x".repeat(1024), size: 0, pax: { size: String(2 ** 40) } }],
          false,
        ),
        gzip: true,
      }),
    context: run,
    error:
      /refuse entry big: its 1099511627776 bytes would take the layer past 34359738368 bytes.*--max-layer-size/,
  },
  {
    id: "layer-size-lies-small",
    outcome: "E",
    title: "a header claiming 10 bytes for 2 KiB of data",
    anchor: "file data parsed as the next header",
    image: () =>
      onBusybox({
        tar: rawTar([
          { name: "small", data: "A".repeat(2048), size: 10 },
          { name: "after", data: "x" },
        ]),
        gzip: true,
      }),
    context: run,
    error: /tar|header|checksum/i,
  },
  {
    id: "layer-truncated",
    outcome: "E",
    title: "a gzip layer cut inside a file's data",
    anchor: "a truncated layer accepted, or a hang (containerd, Docker)",
    image: () => {
      const gz = zlib.gzipSync(rawTar([{ name: "f", data: Buffer.alloc(200_000, 7) }]));
      return onBusybox({ tar: rawTar([]), blob: gz.subarray(0, gz.length >> 1) });
    },
    context: run,
    error: /unexpected end|truncated|premature|end of file/i,
  },
  {
    id: "layer-corrupt-gzip",
    outcome: "E",
    title: "a gzip layer with corrupt bytes in the middle",
    anchor: "garbage unpacked, or an uncaught zlib error",
    image: () => {
      const gz = Buffer.from(zlib.gzipSync(rawTar([{ name: "f", data: Buffer.alloc(200_000, 7) }])));
      for (let i = 40; i < 80; i++) gz[i] ^= 0x5a;
      return onBusybox({ tar: rawTar([]), blob: gz });
    },
    context: run,
    error: /gzip|deflate|invalid|incorrect|check/i,
  },
  {
    id: "layer-not-a-tar",
    outcome: "E",
    title: "a layer of random bytes labelled as a tar",
    anchor: "a crash in the tar reader",
    image: () => onBusybox({ tar: Buffer.alloc(0), blob: Buffer.from("no tar here ".repeat(200)) }),
    context: run,
    error: /tar|header|checksum/i,
  },
  {
    id: "layer-gzip-bomb",
    outcome: "E",
    title: "a 4 KB gzip layer expanding to 2 GiB, --max-layer-size 256MB",
    anchor: "disk and memory exhaustion by a decompression bomb",
    image: (e) => ({ layers: [gzipBombLayer(path.join(e.target), "bomb", 2 * 1024 ** 3)], busybox: true }),
    context: run,
    options: () => ({ network: { maxLayerSize: 256 << 20 } }),
    error:
      /refuse entry bomb: its 2147483648 bytes would take the layer past 268435456 bytes.*--max-layer-size/,
  },
  {
    id: "layer-xattr-capability",
    outcome: "OK",
    title: "security.capability (binary, bytes >= 0x80) through unpack, a RUN's copy-up, export",
    anchor: "file capabilities altered or dropped (tar-stream decodes PAX as UTF-8)",
    image: () =>
      onBusybox(
        layer([
          { name: "bin/", type: "5" },
          {
            name: "bin/ping",
            data: "ELF",
            mode: 0o755,
            pax: { "SCHILY.xattr.security.capability": CAP_VALUE },
          },
        ]),
      ),
    // touch copies the file up into the RUN's upper dir (xattrs with it): the RUN layer carries it.
    context: (e) => ({ Dockerfile: `FROM ${e.image}\nRUN touch /bin/ping\n` }),
    options: (e) => ({
      outputs: [
        { type: "local", dest: path.join(e.target, "out") },
        { type: "oci", dest: path.join(e.target, "oci"), tar: false },
      ],
    }),
    check: (_r, out, e) => {
      expect(getXattr(path.join(out, "bin/ping"), "security.capability")).toEqual(CAP_VALUE);
      const entries = lastLayerXattrs(path.join(e.target, "oci"));
      expect(entries.get("bin/ping")?.["security.capability"]).toEqual(CAP_VALUE);
    },
  },
  {
    id: "layer-overlay-xattr",
    outcome: "C",
    title: "trusted.overlay.opaque=y smuggled as a PAX xattr on /bin",
    anchor: "overlay bookkeeping from a tar hiding lower layers",
    image: () =>
      onBusybox(layer([{ name: "bin/", type: "5", pax: { "SCHILY.xattr.trusted.overlay.opaque": "y" } }])),
    context: (e) => run(e, "RUN test -x /bin/busybox\n"),
    check: (_r, out) => expect(fs.existsSync(path.join(out, "bin/busybox"))).toBe(true),
  },
  {
    id: "layer-whiteout-dotdot",
    outcome: "E",
    title: "a whiteout ../.wh.x aimed above the root",
    anchor: "deletion outside the root by a whiteout (Kaniko whiteout bug)",
    image: () => onBusybox(layer([{ name: "../.wh.secret", data: "" }])),
    context: run,
    error: /\.\.|escape|outside/,
  },
  {
    id: "layer-whiteout-through-symlink",
    outcome: "C",
    title: "lnk -> the sentinel, then lnk/.wh.secret and lnk/.wh..wh..opq",
    anchor: "whiteouts applied through a symlink on the host",
    image: (e) =>
      onBusybox(
        layer([{ name: "lnk", type: "2", linkname: e.sentinel }]),
        layer([
          { name: "lnk/.wh.secret", data: "" },
          { name: "lnk/.wh..wh..opq", data: "" },
        ]),
      ),
    context: run,
    check: (_r, out, e) => expect(fs.readlinkSync(path.join(out, "lnk"))).toBe(e.sentinel),
  },
  {
    id: "layer-diffid-lie",
    outcome: "E",
    title: "a config whose diff_id is not the layer's",
    anchor: "content not matching what the image claims",
    image: () => onBusybox({ ...layer([{ name: "f", data: "real" }]), diffId: `sha256:${"1".repeat(64)}` }),
    context: run,
    error:
      /Dockerfile:2:1: .*its content hashes to sha256:[0-9a-f]{64}, not to the diff_id sha256:1{64} the image config gives/,
  },
];
