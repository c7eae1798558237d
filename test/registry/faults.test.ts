import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CacheStore } from "../../src/cache/cache-store";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { RegistryError } from "../../src/registry/errors";
import { pullImage, type PullOptions } from "../../src/registry/pull";
import { pushImage } from "../../src/registry/push";
import { freePort, startRegistry, type TestRegistry } from "../support/registry";
import { startFaultProxy, type FaultProxy } from "./fault-proxy";
import { busyboxImage } from "./images";

const noCreds = async (): Promise<undefined> => undefined;
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

describe("registry faults through a fault-injection proxy", () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let tmp: string;
  let store: CacheStore;
  let layerDigest: string;
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const seed = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-reg-seed-"));
    const image = await busyboxImage(seed);
    layerDigest = await image.layers[0].digest();
    await pushImage(image, `${registry.host}/faults/busybox:1`, { credentials: noCreds });
    fs.rmSync(seed, { recursive: true, force: true });
    proxy = await startFaultProxy(registry.port);
    ref = `${proxy.host}/faults/busybox:1`;
  });
  afterAll(async () => {
    await proxy.stop();
    await registry.stop();
    await closeDeflatePool();
  });
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-reg-faults-"));
    store = await CacheStore.open(path.join(tmp, "cache"));
    proxy.faults.length = 0;
    proxy.log.length = 0;
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const opts = (extra: Partial<PullOptions> = {}): PullOptions => ({
    store,
    credentials: noCreds,
    client: fast,
    ...extra,
  });
  const isBlob = (_m: string, p: string): boolean => p.endsWith(`/blobs/${layerDigest}`);
  const isManifest = (_m: string, p: string): boolean => p.includes("/manifests/");

  async function pullError(r: string, o: PullOptions = opts()): Promise<RegistryError> {
    const err: unknown = await pullImage(r, o).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistryError);
    return err as RegistryError;
  }

  async function storeHasNoTraceOf(digest: string): Promise<void> {
    expect(await store.blobs.has(digest)).toBe(false);
    expect(await store.blobs.listTemps()).toEqual([]);
  }

  it("registry down: REGISTRY_UNREACHABLE naming the image and the registry", async () => {
    const port = await freePort();
    const err = await pullError(`127.0.0.1:${port}/x/y:1`);
    expect(err.code).toBe("REGISTRY_UNREACHABLE");
    expect(err.message).toContain(`pull 127.0.0.1:${port}/x/y:1`);
    expect(err.message).toContain("ECONNREFUSED");
  });

  it("404 manifest: REGISTRY_MANIFEST_UNKNOWN", async () => {
    const err = await pullError(`${proxy.host}/faults/busybox:nope`);
    expect(err.code).toBe("REGISTRY_MANIFEST_UNKNOWN");
    expect(err.status).toBe(404);
    expect(err.message).toMatch(
      /^pull 127\.0\.0\.1:\d+\/faults\/busybox:nope: registry 127\.0\.0\.1:\d+ answered HTTP 404: MANIFEST_UNKNOWN/,
    );
  });

  it("401 without a usable challenge and 403 become typed errors", async () => {
    proxy.faults.push({ match: isManifest, action: { kind: "status", status: 401 } });
    expect((await pullError(ref)).code).toBe("REGISTRY_UNAUTHORIZED");
    proxy.faults.length = 0;
    proxy.faults.push({
      match: isManifest,
      action: {
        kind: "status",
        status: 403,
        body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
      },
    });
    const denied = await pullError(ref);
    expect(denied.code).toBe("REGISTRY_DENIED");
    expect(denied.message).toContain("DENIED requested access to the resource is denied");
  });

  it("never prints credentials: a Basic challenge that refuses them", async () => {
    proxy.faults.push({
      match: () => true,
      action: { kind: "status", status: 401, headers: { "www-authenticate": 'Basic realm="x"' } },
    });
    const err = await pullError(
      ref,
      opts({ credentials: async () => ({ username: "alice", password: "hunter2-secret" }) }),
    );
    expect(err.code).toBe("REGISTRY_UNAUTHORIZED");
    const text = `${err.message} ${String(err.stack)}`;
    expect(text).not.toContain("hunter2-secret");
    expect(text).not.toContain(Buffer.from("alice:hunter2-secret").toString("base64"));
  });

  it("429 with Retry-After is waited for and retried", async () => {
    proxy.faults.push({
      match: isManifest,
      times: 1,
      action: { kind: "status", status: 429, headers: { "retry-after": "1" } },
    });
    const started = Date.now();
    const pulled = await pullImage(ref, opts());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(pulled.layers).toHaveLength(1);
    // A first pull has nothing cached, so it skips the HEAD: one 429'd GET and its retry.
    expect(proxy.log.filter((l) => l.includes("/manifests/"))).toEqual([
      "GET /v2/faults/busybox/manifests/1",
      "GET /v2/faults/busybox/manifests/1",
    ]);
  });

  it("429 that persists: REGISTRY_TOO_MANY_REQUESTS after a bounded number of attempts", async () => {
    proxy.faults.push({ match: isManifest, action: { kind: "status", status: 429 } });
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_TOO_MANY_REQUESTS");
    expect(err.message).toContain("after 4 attempts");
    expect(proxy.log).toHaveLength(4);
  });

  it("transient 503s and a connection reset on a blob are retried", async () => {
    proxy.faults.push({ match: isManifest, times: 2, action: { kind: "status", status: 503 } });
    proxy.faults.push({ match: isBlob, times: 1, action: { kind: "reset" } });
    const pulled = await pullImage(ref, opts());
    expect(await store.blobs.verify(layerDigest)).toBe("ok");
    expect(pulled.layers).toHaveLength(1);
  });

  it("a blob body cut short once is downloaded again", async () => {
    proxy.faults.push({ match: isBlob, times: 1, action: { kind: "truncate", bytes: 1000 } });
    await pullImage(ref, opts());
    expect(await store.blobs.verify(layerDigest)).toBe("ok");
    expect(proxy.log.filter((l) => l.endsWith(layerDigest))).toHaveLength(2);
  });

  it("a blob that is always truncated: REGISTRY_BLOB_TRUNCATED, nothing stored", async () => {
    proxy.faults.push({ match: isBlob, action: { kind: "truncate", bytes: 1000 } });
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_BLOB_TRUNCATED");
    expect(err.message).toContain(layerDigest);
    expect(err.message).toContain("sent 1000 of");
    await storeHasNoTraceOf(layerDigest);
  });

  it("a tampered blob: REGISTRY_DIGEST_MISMATCH, not retried, nothing stored", async () => {
    proxy.faults.push({ match: isBlob, action: { kind: "tamper" } });
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_DIGEST_MISMATCH");
    expect(err.message).toContain(`blob ${layerDigest}`);
    expect(proxy.log.filter((l) => l.endsWith(layerDigest))).toHaveLength(1);
    await storeHasNoTraceOf(layerDigest);
  });

  it("a failed blob cancels the blobs still downloading: the pull fails with nothing half-written", async () => {
    // The config drips (a byte per 200 ms: a minute) while the layer arrives tampered. The error
    // must not reach the caller while the config's download is still writing its temp file.
    const otherBlob = (m: string, p: string): boolean => p.includes("/blobs/sha256:") && !isBlob(m, p);
    proxy.faults.push({ match: otherBlob, action: { kind: "drip", intervalMs: 200 } });
    proxy.faults.push({ match: isBlob, action: { kind: "tamper" } });
    const started = Date.now();
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_DIGEST_MISMATCH");
    expect(err.message).toContain(`blob ${layerDigest}`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(proxy.log.some((l) => otherBlob("GET", l.split(" ").pop() ?? ""))).toBe(true);
    // A download that outlived the failed pull would have written its first bytes by now.
    await new Promise((resolve) => setTimeout(resolve, 700));
    await storeHasNoTraceOf(layerDigest);
  });

  it("a tampered manifest: REGISTRY_DIGEST_MISMATCH against Docker-Content-Digest", async () => {
    proxy.faults.push({ match: (m, p) => m === "GET" && isManifest(m, p), action: { kind: "tamper" } });
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_DIGEST_MISMATCH");
    expect(err.message).toContain("manifest");
  });

  it("a manifest labelled with the wrong media type: REGISTRY_MEDIA_TYPE", async () => {
    proxy.faults.push({
      match: isManifest,
      action: { kind: "content-type", value: "application/vnd.docker.distribution.manifest.list.v2+json" },
    });
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_MEDIA_TYPE");
    expect(err.message).toContain(
      "labelled a application/vnd.oci.image.manifest.v1+json manifest as application/vnd.docker.distribution.manifest.list.v2+json",
    );
  });

  it("a huge manifest: REGISTRY_MANIFEST_TOO_LARGE without reading it all", async () => {
    proxy.faults.push({
      match: (m, p) => m === "GET" && isManifest(m, p),
      action: { kind: "huge-manifest", bytes: 64 * 1024 * 1024 },
    });
    const err = await pullError(ref);
    expect(err.code).toBe("REGISTRY_MANIFEST_TOO_LARGE");
    expect(err.message).toContain("4194304");
  });

  it("a registry that drips its manifest: REGISTRY_TIMEOUT within the limits, not a hang", async () => {
    proxy.faults.push({ match: isManifest, action: { kind: "drip", intervalMs: 200 } });
    const started = Date.now();
    const err = await pullError(
      ref,
      opts({ client: { ...fast, limits: { idleTimeoutMs: 600, lowSpeedLimit: 100 } } }),
    );
    expect(err.code).toBe("REGISTRY_TIMEOUT");
    expect(err.message).toMatch(
      /timed out sending the manifest: (slower than 100 bytes\/s|no data) for 600 ms/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a registry that drips a blob: retried, then REGISTRY_BLOB_TRUNCATED naming the reason, nothing stored", async () => {
    proxy.faults.push({ match: isBlob, action: { kind: "drip", intervalMs: 200 } });
    const started = Date.now();
    const err = await pullError(
      ref,
      opts({ client: { ...fast, limits: { idleTimeoutMs: 500, lowSpeedLimit: 100 } } }),
    );
    expect(err.code).toBe("REGISTRY_BLOB_TRUNCATED");
    expect(err.message).toMatch(/after 4 attempts; (slower than 100 bytes\/s|no data) for 500 ms/);
    expect(Date.now() - started).toBeLessThan(20_000);
    await storeHasNoTraceOf(layerDigest);
  });
  const digestInvalid = JSON.stringify({
    errors: [{ code: "DIGEST_INVALID", message: "provided digest did not match uploaded content" }],
  });
  const isManifestPut = (m: string, p: string): boolean => m === "PUT" && isManifest(m, p);

  it("a manifest PUT answered DIGEST_INVALID (docker-registry's race of two writers) is made again", async () => {
    const image = await busyboxImage(tmp);
    proxy.faults.push({
      match: isManifestPut,
      times: 2,
      action: { kind: "status", status: 400, body: digestInvalid },
    });
    const digest = await pushImage(image, `${proxy.host}/faults/race:1`, {
      credentials: noCreds,
      client: fast,
    });
    expect(proxy.log.filter((l) => l.startsWith("PUT ") && l.includes("/manifests/"))).toHaveLength(3);
    const pulled = await pullImage(`${proxy.host}/faults/race:1`, opts());
    expect(pulled.digest).toBe(digest);
  });

  it("a manifest PUT that keeps answering DIGEST_INVALID fails after 3 attempts, naming it", async () => {
    const image = await busyboxImage(tmp);
    proxy.faults.push({ match: isManifestPut, action: { kind: "status", status: 400, body: digestInvalid } });
    const err: unknown = await pushImage(image, `${proxy.host}/faults/race:2`, {
      credentials: noCreds,
      client: fast,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).message).toContain("DIGEST_INVALID");
    expect(proxy.log.filter((l) => l.startsWith("PUT ") && l.includes("/manifests/"))).toHaveLength(3);
  });
});
