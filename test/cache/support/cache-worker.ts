/**
 * A separate process acting on a cache dir, for the multi-process tests.
 *   put-same DIR N          put N copies of one deterministic blob + record, print JSON
 *   put-distinct DIR N ID   put N distinct blobs (seeded by ID) + records
 *   put-slow DIR BYTES      stream BYTES of data slowly into put (killed with -9 by the test)
 *   tag DIR N PREFIX        tag N images PREFIX-<i> pointing at a stored manifest
 *   build-temp DIR          create a build scratch dir, print it, wait (killed with -9 by the test)
 */
import { Readable } from "node:stream";
import { createHash } from "node:crypto";
import { CacheStore } from "../../../src/cache/cache-store";

function blob(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(seed).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

async function main(): Promise<void> {
  const [cmd, dir, a, b] = process.argv.slice(2) as [string, string, string, string | undefined];
  const store = await CacheStore.open(dir);
  const n = Number(a);
  if (cmd === "put-same" || cmd === "put-distinct") {
    const digests: string[] = [];
    for (let i = 0; i < n; i++) {
      const seed = cmd === "put-same" ? "same" : `${b}-${i}`;
      const data = blob(seed, 256 * 1024 + i);
      const { digest, size } = await store.blobs.put(
        Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      );
      await store.records.put({
        key: `key-${seed}-${i}`,
        layer: { digest, diffId: digest, size, mediaType: "application/vnd.oci.image.layer.v1.tar" },
      });
      digests.push(digest);
    }
    process.stdout.write(JSON.stringify(digests));
  } else if (cmd === "put-slow") {
    const total = Number(a);
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= total) {
          this.push(null);
          return;
        }
        const chunk = blob(`slow-${sent}`, 64 * 1024);
        sent += chunk.length;
        if (sent === 8 * 64 * 1024) process.stdout.write("writing\n");
        setTimeout(() => this.push(chunk), 5);
      },
    });
    await store.blobs.put(source);
    process.stdout.write("done\n");
  } else if (cmd === "build-temp") {
    process.stdout.write(`${await store.createBuildTemp()}\n`);
    await new Promise(() => setInterval(() => undefined, 1000));
  } else if (cmd === "tag") {
    const manifest = await store.blobs.put(Readable.from([Buffer.from('{"schemaVersion":2}')]));
    const config = await store.blobs.put(Readable.from([Buffer.from("{}")]));
    for (let i = 0; i < n; i++) {
      await store.images.tag(`${b}-${i}`, { manifestDigest: manifest.digest, configDigest: config.digest });
    }
    process.stdout.write("ok");
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
