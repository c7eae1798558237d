import * as fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { DEFLATE_IDLE_MS, ParallelGzip } from "../../src/image/parallel-gzip";

/**
 * The deflate pool's worker threads end once it has been idle DEFLATE_IDLE_MS: left alive, every
 * pool made in a long-lived process (each jest test file gets its own) kept its isolates until
 * exit, which then took long enough for jest to force-kill the worker process.
 */
const threads = (): number => fs.readdirSync("/proc/self/task").length;

async function gzip(data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([data]), new ParallelGzip({ blockSize: 64 * 1024 }), async (source) => {
    for await (const c of source) chunks.push(c as Buffer);
  });
  return Buffer.concat(chunks);
}

async function waitForThreads(atMost: number): Promise<number> {
  // Polls well past the idle period; the bound is generous, never the thing measured.
  for (let i = 0; i < 100 && threads() > atMost; i++)
    await new Promise((r) => setTimeout(r, 100 + DEFLATE_IDLE_MS / 10));
  return threads();
}

test("idle deflate workers are terminated, and a later stream spawns new ones that work", async () => {
  const before = threads();
  const data = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
  expect(zlib.gunzipSync(await gzip(data)).equals(data)).toBe(true);
  expect(threads()).toBeGreaterThan(before); // the pool's threads exist while it is fresh
  expect(await waitForThreads(before)).toBe(before);
  expect(zlib.gunzipSync(await gzip(data)).equals(data)).toBe(true);
  expect(await waitForThreads(before)).toBe(before);
});
