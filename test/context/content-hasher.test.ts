import * as fs from "node:fs";
import * as path from "node:path";
import { ContentHasher } from "../../src/context/content-hasher";
import { parseSignature, StatCache, statSignature } from "../../src/context/stat-cache";
import { makeTemp, removeTemp } from "./tree-fixture";

describe("ContentHasher's memo", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTemp();
  });
  afterEach(() => removeTemp(dir));

  async function hashOf(h: ContentHasher, rel: string): Promise<string> {
    const host = path.join(dir, rel);
    const sig = statSignature(toIdentity(fs.lstatSync(host, { bigint: true })));
    return h.hash(rel, host, parseSignature(sig), sig);
  }

  test.each([
    ["small (read inline)", 100],
    ["large (read asynchronously)", 300 * 1024],
  ])("a %s file is read once per stat, the settled hash handed out again", async (_what, size) => {
    fs.writeFileSync(path.join(dir, "f"), Buffer.alloc(size, 1));
    const h = new ContentHasher(StatCache.memory());
    await h.ready();
    const first = await hashOf(h, "f");
    expect(await hashOf(h, "f")).toBe(first);
    expect(h.stats.filesHashed).toBe(1);
    // a rewrite with another size is another stat: read again, another hash
    fs.writeFileSync(path.join(dir, "f"), Buffer.alloc(size + 1, 1));
    const second = await hashOf(h, "f");
    expect(second).not.toBe(first);
    expect(h.stats.filesHashed).toBe(2);
    expect(await hashOf(h, "f")).toBe(second);
    expect(h.stats.filesHashed).toBe(2);
  });

  test("two asks while a large file is still being read share one read", async () => {
    fs.writeFileSync(path.join(dir, "big"), Buffer.alloc(2 * 1024 * 1024, 7));
    const h = new ContentHasher(StatCache.memory());
    await h.ready();
    const [a, b] = await Promise.all([hashOf(h, "big"), hashOf(h, "big")]);
    expect(a).toBe(b);
    expect(h.stats.filesHashed).toBe(1);
  });

  test("a failed read fails every ask for that stat", async () => {
    fs.writeFileSync(path.join(dir, "gone"), Buffer.alloc(300 * 1024, 1));
    const host = path.join(dir, "gone");
    const sig = statSignature(toIdentity(fs.lstatSync(host, { bigint: true })));
    fs.rmSync(host);
    const h = new ContentHasher(StatCache.memory());
    await h.ready();
    await expect(h.hash("gone", host, parseSignature(sig), sig)).rejects.toThrow(/read build context file/);
    await expect(h.hash("gone", host, parseSignature(sig), sig)).rejects.toThrow(/read build context file/);
  });
});

function toIdentity(st: fs.BigIntStats): {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
} {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}
