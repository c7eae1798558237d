import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CacheStore } from "../../src/cache/cache-store";
import { build } from "../../src/engine/build";
import type { BuildOptions } from "../../src/engine/build-options";
import { parseOutputSpec } from "../../src/engine/output-spec";
import { UsageError } from "../../src/errors";
import { MediaType } from "../../src/image/media-types";
import { startRegistry, type TestRegistry } from "../support/registry";
import { rm, tempTree } from "./helpers";

/**
 * Lazy compression (issue #15) and honoured compression flags (issue #16): layers are cached
 * uncompressed; every image output or push carries the compression this build asks for, made on
 * the first export that needs it and reused after; a local `-t` build compresses nothing.
 */
interface RawManifest {
  layers: Array<{ mediaType: string; digest: string; size: number }>;
}

const DOCKERFILE = "FROM scratch\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n";

let ctx: string;
let cache: string;
let out: string;
beforeEach(() => {
  ctx = tempTree({
    Dockerfile: DOCKERFILE,
    "a.txt": "hello\n",
    "b.txt": Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join(""),
  });
  cache = tempTree({}, "tsbuild-cache-");
  out = tempTree({}, "tsbuild-out-");
});
afterEach(() => rm(ctx, cache, out));

function skopeo(...args: string[]): string {
  return execFileSync("skopeo", args, { encoding: "utf8" });
}

function archiveManifest(archive: string): RawManifest {
  return JSON.parse(skopeo("inspect", "--raw", `oci-archive:${archive}`)) as RawManifest;
}

function archiveDigest(archive: string): string {
  return (JSON.parse(skopeo("inspect", `oci-archive:${archive}`)) as { Digest: string }).Digest;
}

const mediaTypes = (m: RawManifest): string[] => m.layers.map((l) => l.mediaType);

/** Files under the cache's compressed/ entry (absent = none). */
function compressedEntries(dir = cache): string[] {
  const d = path.join(dir, "compressed");
  return fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
}

function buildTo(archive: string, extra: Partial<BuildOptions> = {}, o = ""): ReturnType<typeof build> {
  return build({
    context: ctx,
    cacheDir: cache,
    outputs: [parseOutputSpec(`type=oci,dest=${archive}${o}`)],
    sourceDateEpoch: 1700000000,
    ...extra,
  });
}

/** Every file of an archive's root, checked by skopeo copying it (it verifies digests). */
function copyVerifies(archive: string): void {
  const dir = path.join(out, `copy-${path.basename(archive)}`);
  skopeo("copy", "--quiet", `oci-archive:${archive}`, `dir:${dir}`);
  rm(dir);
}

describe("compression follows this build's flags every time", () => {
  test("--compression zstd, then gzip, then zstd again: the archive's media types each time", async () => {
    const z1 = path.join(out, "z1.tar");
    const g = path.join(out, "g.tar");
    const z2 = path.join(out, "z2.tar");
    const first = await buildTo(z1, { noCache: true, compression: "zstd" });
    expect(mediaTypes(archiveManifest(z1))).toEqual([MediaType.ociLayerZstd, MediaType.ociLayerZstd]);
    expect(first.digest).toBe(archiveDigest(z1));
    copyVerifies(z1);

    const second = await buildTo(g, { compression: "gzip" });
    expect(second.steps.every((s) => s.cached)).toBe(true);
    expect(mediaTypes(archiveManifest(g))).toEqual([MediaType.ociLayerGzip, MediaType.ociLayerGzip]);
    expect(second.digest).toBe(archiveDigest(g));
    expect(second.digest).not.toBe(first.digest);
    copyVerifies(g);

    const third = await buildTo(z2, { compression: "zstd" });
    expect(mediaTypes(archiveManifest(z2))).toEqual([MediaType.ociLayerZstd, MediaType.ociLayerZstd]);
    // Compressed once per (layer, compression, level); the third build reused the first's blobs.
    expect(archiveManifest(z2).layers).toEqual(archiveManifest(z1).layers);
    expect(third.digest).toBe(first.digest);
    expect(compressedEntries()).toHaveLength(4);
    // Same diff_ids whatever the compression.
    expect(third.config.rootfs.diff_ids).toEqual(second.config.rootfs.diff_ids);
  });

  test("-o compression= wins over --compression; compression-level makes its own blob", async () => {
    const z = path.join(out, "z.tar");
    const z9 = path.join(out, "z9.tar");
    const u = path.join(out, "u.tar");
    await buildTo(z, { compression: "gzip" }, ",compression=zstd");
    expect(mediaTypes(archiveManifest(z))).toEqual([MediaType.ociLayerZstd, MediaType.ociLayerZstd]);
    await buildTo(z9, { compression: "gzip" }, ",compression=zstd,compression-level=19");
    const m9 = archiveManifest(z9);
    expect(mediaTypes(m9)).toEqual([MediaType.ociLayerZstd, MediaType.ociLayerZstd]);
    expect(m9.layers[1].digest).not.toBe(archiveManifest(z).layers[1].digest);
    expect(compressedEntries().filter((f) => f.endsWith("-zstd-19.json"))).toHaveLength(2);
    copyVerifies(z9);
    await buildTo(u, {}, ",compression=uncompressed");
    const mu = archiveManifest(u);
    expect(mediaTypes(mu)).toEqual([MediaType.ociLayer, MediaType.ociLayer]);
    // An uncompressed layer's digest is its diff_id.
    const built = await buildTo(u, {}, ",compression=uncompressed");
    expect(mu.layers.map((l) => l.digest)).toEqual(built.config.rootfs.diff_ids);
  });

  test("bad compression keys of -o are usage errors naming the key", () => {
    expect(() => parseOutputSpec("type=oci,dest=x,compression=lz4")).toThrow(UsageError);
    expect(() => parseOutputSpec("type=oci,dest=x,compression=lz4")).toThrow(/compression=lz4/);
    expect(() => parseOutputSpec("type=oci,dest=x,compression=gzip,compression-level=12")).toThrow(
      /compression-level=12/,
    );
    expect(() => parseOutputSpec("type=registry,force-compression=yes")).toThrow(/force-compression=yes/);
    expect(
      parseOutputSpec("type=image,push=true,compression=zstd,compression-level=22,force-compression=true"),
    ).toEqual({
      type: "image",
      push: true,
      compression: "zstd",
      compressionLevel: 22,
      forceCompression: true,
    });
  });
});

describe("what is compressed, and when", () => {
  test("a local -t build writes no compressed blob; its stored layers are plain tars", async () => {
    const r = await build({ context: ctx, cacheDir: cache, tags: ["lazy/local:1"] });
    expect(compressedEntries()).toEqual([]);
    expect(r.manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.ociLayer, MediaType.ociLayer]);
    expect(r.manifest.layers.map((l) => l.digest)).toEqual(r.config.rootfs.diff_ids);
    const store = await CacheStore.open(cache);
    expect((await store.images.get("lazy/local:1"))?.manifestDigest).toBe(r.digest);
    // No blob in the store is gzip or zstd (magic bytes).
    for (const blob of await store.blobs.list()) {
      const head = Buffer.alloc(4);
      const fd = fs.openSync(store.blobs.path(blob.digest), "r");
      fs.readSync(fd, head, 0, 4, 0);
      fs.closeSync(fd);
      expect(head.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
      expect(head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe(false);
    }
  });

  test("an image exported twice in one build is compressed once; a docker archive holds plain tars", async () => {
    const a = path.join(out, "a.tar");
    const layout = path.join(out, "layout");
    const docker = path.join(out, "docker.tar");
    const r = await build({
      context: ctx,
      cacheDir: cache,
      outputs: [
        parseOutputSpec(`type=oci,dest=${a}`),
        parseOutputSpec(`type=oci,dest=${layout},tar=false`),
        parseOutputSpec(`type=docker,dest=${docker}`),
      ],
    });
    expect(compressedEntries()).toHaveLength(2);
    expect(compressedEntries().every((f) => f.endsWith("-gzip-6.json"))).toBe(true);
    const fromLayout = JSON.parse(skopeo("inspect", "--raw", `oci:${layout}`)) as RawManifest;
    expect(fromLayout).toEqual(archiveManifest(a));
    expect(r.digest).toBe(archiveDigest(a));
    // docker save's shape: the layers are the uncompressed tars, named by their diff_ids.
    const listing = execFileSync("tar", ["-tf", docker], { encoding: "utf8" });
    for (const diffId of r.config.rootfs.diff_ids) expect(listing).toContain(diffId.slice(7));
    const info = JSON.parse(skopeo("inspect", `docker-archive:${docker}`)) as { Layers: string[] };
    expect(info.Layers).toHaveLength(2);
  });

  test("builder stages that never reach the final image are never compressed", async () => {
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      "FROM scratch AS builder\nCOPY b.txt /big.txt\nFROM scratch\nCOPY --from=builder /big.txt /copied.txt\nCOPY a.txt /a.txt\n",
    );
    const a = path.join(out, "a.tar");
    const r = await buildTo(a);
    const builderLayer = r.steps.find((s) => s.stage === 0)?.layer?.diffId;
    expect(builderLayer).toBeDefined();
    expect(compressedEntries()).toHaveLength(2);
    expect(compressedEntries().some((f) => f.startsWith((builderLayer ?? "").slice(7)))).toBe(false);
  });
});

describe("pushes", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.stop();
  });

  const remoteManifest = (ref: string): RawManifest =>
    JSON.parse(skopeo("inspect", "--raw", "--tls-verify=false", `docker://${ref}`)) as RawManifest;

  test("a push carries the requested compression, build after build", async () => {
    const ref = `${registry.host}/lazy/app:1`;
    const zstd = await build({
      context: ctx,
      cacheDir: cache,
      tags: [ref],
      noCache: true,
      compression: "zstd",
      outputs: [{ type: "registry" }],
    });
    expect(mediaTypes(remoteManifest(ref))).toEqual([MediaType.ociLayerZstd, MediaType.ociLayerZstd]);
    const gzip = await build({
      context: ctx,
      cacheDir: cache,
      tags: [ref],
      compression: "gzip",
      outputs: [{ type: "registry" }],
    });
    expect(mediaTypes(remoteManifest(ref))).toEqual([MediaType.ociLayerGzip, MediaType.ociLayerGzip]);
    expect(gzip.digest).not.toBe(zstd.digest);
    const inspected = JSON.parse(skopeo("inspect", "--tls-verify=false", `docker://${ref}`)) as {
      Digest: string;
    };
    expect(inspected.Digest).toBe(gzip.digest);
    // The pushed blobs are sound: skopeo re-reads and verifies them.
    skopeo("copy", "--quiet", "--src-tls-verify=false", `docker://${ref}`, `dir:${path.join(out, "pulled")}`);
  });

  test("base-image layers keep their pulled compression unless force-compression", async () => {
    const baseRef = `${registry.host}/lazy/base:1`;
    await build({ context: ctx, cacheDir: cache, tags: [baseRef], outputs: [{ type: "registry" }] });
    expect(mediaTypes(remoteManifest(baseRef))).toEqual([MediaType.ociLayerGzip, MediaType.ociLayerGzip]);

    const fresh = tempTree({}, "tsbuild-cache-");
    try {
      fs.writeFileSync(path.join(ctx, "Dockerfile"), `FROM ${baseRef}\nCOPY a.txt /again.txt\n`);
      const kept = path.join(out, "kept.tar");
      await build({
        context: ctx,
        cacheDir: fresh,
        compression: "zstd",
        outputs: [parseOutputSpec(`type=oci,dest=${kept}`)],
      });
      expect(mediaTypes(archiveManifest(kept))).toEqual([
        MediaType.ociLayerGzip,
        MediaType.ociLayerGzip,
        MediaType.ociLayerZstd,
      ]);
      const forced = path.join(out, "forced.tar");
      await build({
        context: ctx,
        cacheDir: fresh,
        outputs: [parseOutputSpec(`type=oci,dest=${forced},compression=zstd,force-compression=true`)],
      });
      expect(mediaTypes(archiveManifest(forced))).toEqual([
        MediaType.ociLayerZstd,
        MediaType.ociLayerZstd,
        MediaType.ociLayerZstd,
      ]);
      copyVerifies(forced);
    } finally {
      rm(fresh);
    }
  });
});
