import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { applyLayer } from "../../../src/rootfs/unpack/apply-layer";
import { rawXattrRecords } from "../../../src/rootfs/unpack/pax-raw";
import { getXattr } from "../../../src/rootfs/xattrs";
import { rawTar } from "../../hostile/layers";

/** Every byte value, so no UTF-8 decoding can survive it. */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + 0x80) & 0xff));
/** cap_setuid,cap_net_raw,cap_sys_admin+ep: bytes 0x80 and 0x20 that UTF-8 decoding mangled. */
const CAP = Buffer.from([1, 0, 0, 2, 0x80, 0x20, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

test("PAX xattr records are read as raw bytes", () => {
  const tar = rawTar([{ name: "f", data: "x", pax: { "SCHILY.xattr.user.bin": BINARY, path: "f" } }]);
  // The PAX block is the first 512-byte record's data.
  const size = parseInt(tar.subarray(124, 136).toString("ascii"), 8);
  expect(rawXattrRecords(tar.subarray(512, 512 + size))).toEqual({ "user.bin": BINARY });
});

test("security.capability and a binary user xattr are set byte for byte (root)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-xattr-"));
  try {
    const tar = rawTar([
      { name: "ping", data: "ELF", mode: 0o755, pax: { "SCHILY.xattr.security.capability": CAP } },
      { name: "data", data: "d", pax: { "SCHILY.xattr.user.bin": BINARY } },
    ]);
    const stats = await applyLayer(Readable.from([tar]), dir);
    expect(stats.warnings).toBe(0);
    expect(getXattr(path.join(dir, "ping"), "security.capability")).toEqual(CAP);
    expect(getXattr(path.join(dir, "data"), "user.bin")).toEqual(BINARY);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
