import { zlib } from "../lazy-builtins";

type Crc32Fn = (data: Uint8Array, value?: number) => number;

let table: Uint32Array | undefined;

/** Table-driven CRC-32 (IEEE), for Node versions whose zlib lacks crc32 (< 20.15). */
function crc32Table(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

let chosen: Crc32Fn | undefined;

/** CRC-32 of `data` continuing from `value` (the gzip trailer's checksum). */
export function crc32(data: Uint8Array, value?: number): number {
  // zlib.crc32 exists from Node 20.15/22.2 on; @types/node 20 does not declare it.
  chosen ??= (zlib() as unknown as { crc32?: Crc32Fn }).crc32 ?? crc32Table;
  return chosen(data, value);
}
export { crc32Table };
