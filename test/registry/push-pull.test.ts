import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CacheStore } from "../../src/cache/cache-store";
import { imageDigest } from "../../src/image/image";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { pullImage } from "../../src/registry/pull";
import { pushImage, pushImageDetailed } from "../../src/registry/push";
import { startRegistry, type TestRegistry } from "../support/registry";
import { startFaultProxy } from "./fault-proxy";
import { busyboxImage, randomImage } from "./images";

const noCreds = async (): Promise<undefined> => undefined;

describe("push and pull against a real docker-registry on 127.0.0.1", () => {
  let registry: TestRegistry;
  let tmp: string;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.stop();
    await closeDeflatePool();
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-reg-test-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("pushes a busybox image; skopeo inspect sees the same digest; pulling it back re-creates every blob", async () => {
    const image = await busyboxImage(tmp);
    const ref = `${registry.host}/tsbuild/busybox:v1`;
    const digest = await pushImage(image, ref, { credentials: noCreds });
    expect(digest).toBe(await imageDigest(image));
    const inspected = JSON.parse(
      execFileSync("skopeo", ["inspect", "--tls-verify=false", `docker://${ref}`], { encoding: "utf8" }),
    ) as { Digest: string; Layers: string[] };
    expect(inspected.Digest).toBe(digest);
    expect(inspected.Layers).toEqual([await image.layers[0]?.digest()]);

    const store = await CacheStore.open(path.join(tmp, "cache"));
    const pulled = await pullImage(ref, {
      store,
      credentials: noCreds,
      platform: { os: "linux", architecture: "amd64" },
    });
    expect(pulled.digest).toBe(digest);
    expect(pulled.config.config.Cmd).toEqual(["/bin/sh", "-c", "echo hello"]);
    expect(pulled.layers).toHaveLength(1);
    expect(await pulled.layers[0]?.diffId()).toBe(await image.layers[0]?.diffId());
    for (const d of [digest, pulled.manifest.config.digest, ...pulled.manifest.layers.map((l) => l.digest)]) {
      expect(await store.blobs.verify(d)).toBe("ok");
    }
  });

  it("a second pull of the tag sends only a manifest HEAD; a digest-pinned pull of a cached image sends nothing", async () => {
    const image = await busyboxImage(tmp, "second");
    const ref = `${registry.host}/tsbuild/again:latest`;
    const digest = await pushImage(image, ref, { credentials: noCreds });
    const proxy = await startFaultProxy(registry.port);
    try {
      const store = await CacheStore.open(path.join(tmp, "cache"));
      const viaProxy = `${proxy.host}/tsbuild/again:latest`;
      await pullImage(viaProxy, { store, credentials: noCreds });
      expect(proxy.log.filter((l) => l.includes("/blobs/"))).toHaveLength(3);
      proxy.log.length = 0;
      const second = await pullImage(viaProxy, { store, credentials: noCreds });
      expect(second.digest).toBe(digest);
      expect(proxy.log).toEqual(["HEAD /v2/tsbuild/again/manifests/latest"]);
      proxy.log.length = 0;
      const pinned = await pullImage(`${proxy.host}/tsbuild/again@${digest}`, {
        store,
        credentials: noCreds,
      });
      expect(pinned.requests).toBe(0);
      expect(proxy.log).toEqual([]);
      const offline = await pullImage(viaProxy, { store, credentials: noCreds, policy: "missing" });
      expect(offline.digest).toBe(digest);
      expect(proxy.log).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("skips blobs the repository has, mounts from another repository, and uploads big blobs in chunks", async () => {
    const image = await randomImage(tmp, 2, 3 * 1024 * 1024);
    const store = await CacheStore.open(path.join(tmp, "cache"));
    const proxy = await startFaultProxy(registry.port);
    const first = await pushImageDetailed(image, `${proxy.host}/tsbuild/src:1`, {
      credentials: noCreds,
      monolithicLimit: 1024 * 1024,
      chunkSize: 1024 * 1024,
    });
    await proxy.stop();
    expect(Object.values(first.blobs)).toEqual(["uploaded", "uploaded", "uploaded"]);
    // Two ~3 MiB layers in 1 MiB chunks: at least 3 PATCHes each; the small config goes in one PUT.
    expect(proxy.log.filter((l) => l.startsWith("PATCH ")).length).toBeGreaterThanOrEqual(6);
    expect(proxy.log.filter((l) => l.startsWith("PUT /v2/tsbuild/src/blobs/uploads/"))).toHaveLength(3);
    // This push records in the cache that tsbuild/src holds these blobs: the next push mounts them.
    const again = await pushImageDetailed(image, `${registry.host}/tsbuild/src:2`, {
      credentials: noCreds,
      store,
    });
    expect(Object.values(again.blobs)).toEqual(["exists", "exists", "exists"]);
    const mounted = await pushImageDetailed(image, `${registry.host}/tsbuild/dst:1`, {
      credentials: noCreds,
      store,
    });
    expect(Object.values(mounted.blobs)).toEqual(["mounted", "mounted", "mounted"]);
    expect(mounted.digest).toBe(first.digest);
    const out = path.join(tmp, "oci");
    // skopeo copy re-verifies every blob digest of the chunk-uploaded and mounted blobs.
    execFileSync(
      "skopeo",
      ["copy", "--src-tls-verify=false", `docker://${registry.host}/tsbuild/dst:1`, `oci:${out}:x`],
      { stdio: "pipe" },
    );
    const index = JSON.parse(fs.readFileSync(path.join(out, "index.json"), "utf8")) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests[0]?.digest).toBe(first.digest);
  });
});
