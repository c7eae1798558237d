import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { BuildResult } from "../../src/engine/build-options";
import { CacheStore } from "../../src/cache";
import { stepTag } from "../../src/cache/remote";
import { startRegistry, type TestRegistry } from "../support/registry";
import { rm, tempTree } from "./helpers";

/**
 * The step-granular remote cache against the real docker-registry on 127.0.0.1 (and as an OCI
 * layout dir), with separate cache dirs standing in for two CI machines: A builds and exports,
 * B starts empty, imports, and hits every step while fetching only the layers its image needs.
 */
let registry: TestRegistry;
const dirs: string[] = [];
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry.stop();
});
afterEach(() => rm(...dirs.splice(0)));

function temp(prefix: string, files: Record<string, string | Buffer> = {}): string {
  const d = tempTree(files, prefix);
  dirs.push(d);
  return d;
}

/** A context with busybox, for RUN steps on FROM scratch. */
function context(dockerfile: string, files: Record<string, string | Buffer> = {}): string {
  const ctx = temp("tsbuild-ctx-", {
    busybox: fs.readFileSync("/bin/busybox"),
    Dockerfile: dockerfile,
    ...files,
  });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  return ctx;
}

const BUSYBOX =
  'FROM scratch AS base\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n';

/** GET on the registry's API, JSON body. */
function registryGet(p: string, accept?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port: registry.port, path: p, headers: accept ? { accept } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
  });
}

async function tags(repo: string): Promise<string[]> {
  const { body } = await registryGet(`/v2/${repo}/tags/list`);
  return ((body as { tags?: string[] | null }).tags ?? []).sort();
}

/** Every blob digest the registry stores (layers, configs, manifests alike). */
function registryBlobs(): Set<string> {
  const root = path.join(registry.dir, "data/docker/registry/v2/blobs/sha256");
  const out = new Set<string>();
  if (!fs.existsSync(root)) return out;
  for (const p of fs.readdirSync(root))
    for (const hex of fs.readdirSync(path.join(root, p))) out.add(`sha256:${hex}`);
  return out;
}

function storeHas(cache: string, digest: string): boolean {
  return fs.existsSync(path.join(cache, "blobs/sha256", digest.slice("sha256:".length)));
}

const MULTI_STAGE =
  BUSYBOX +
  "FROM base AS builder\nRUN head -c 300000 /dev/urandom > /big && echo built > /out\n" +
  "FROM scratch\nCOPY --from=builder /out /out\n";

function layersOf(r: BuildResult, stage: number): string[] {
  return r.steps.filter((s) => s.stage === stage && s.layer).map((s) => s.layer?.digest ?? "");
}

describe("registry cache at step granularity", () => {
  it("machine B (empty cache) hits every step and fetches only the final image's layers", async () => {
    const ctx = context(MULTI_STAGE);
    const ref = `${registry.host}/tsbuild/stepcache:main`;
    const machineA = temp("tsbuild-cache-a-");
    const a = await build({
      context: ctx,
      cacheDir: machineA,
      cacheTo: [{ type: "registry", ref, mode: "max" }],
    });
    expect(a.steps.every((s) => !s.cached)).toBe(true);
    const exported = a.remoteCache?.exports[0];
    // One record per step, and a second for the COPY --from's content key.
    const recordKeys = a.steps.flatMap((s) => [s.cacheKey, ...(s.contentKey ? [s.contentKey] : [])]);
    expect(recordKeys).toHaveLength(a.steps.length + 1);
    expect(exported?.steps).toBe(recordKeys.length);
    // One tag per record, content-addressed by its key, and the index at the ref's tag.
    expect(await tags("tsbuild/stepcache")).toEqual([...recordKeys.map(stepTag), "main"].sort());

    const machineB = temp("tsbuild-cache-b-");
    const b = await build({ context: ctx, cacheDir: machineB, cacheFrom: [{ type: "registry", ref }] });
    expect(b.steps.map((s) => s.cached)).toEqual(a.steps.map(() => true));
    expect(b.digest).toBe(a.digest);
    const imported = b.remoteCache?.imports[0];
    expect(b.remoteCache?.remoteHits).toBe(a.steps.length);
    // One manifest GET per step, and one blob: the final stage's layer. The builder's 300 kB
    // RUN layer and the base layers stay in the registry.
    expect(imported?.lookups).toBe(a.steps.length);
    const finalStage = Math.max(...a.steps.map((s) => s.stage));
    const finalLayers = layersOf(a, finalStage);
    expect(imported?.downloaded).toBe(finalLayers.length);
    for (const d of finalLayers) expect(storeHas(machineB, d)).toBe(true);
    for (const s of a.steps.filter((x) => x.stage !== finalStage))
      expect(storeHas(machineB, s.layer?.digest ?? "")).toBe(false);

    // The fetched layer's record is local now: a rebuild on B asks the registry nothing.
    const again = await build({ context: ctx, cacheDir: machineB, cacheFrom: [{ type: "registry", ref }] });
    expect(again.steps.every((s) => s.cached)).toBe(true);
    expect(again.remoteCache?.imports[0].downloaded).toBe(0);
  });

  it("a changed step runs on B on top of layers fetched from the cache; mode=min exports the final stage only", async () => {
    const ref = `${registry.host}/tsbuild/minmax:main`;
    const machineA = temp("tsbuild-cache-a-");
    await build({
      context: context(MULTI_STAGE),
      cacheDir: machineA,
      cacheTo: [{ type: "registry", ref, mode: "max" }],
    });
    // B changes the builder's last step: the base steps hit remotely, their layers are fetched for the RUN.
    const changed = MULTI_STAGE.replace("echo built", "echo rebuilt");
    const machineB = temp("tsbuild-cache-b-");
    const b = await build({
      context: context(changed),
      cacheDir: machineB,
      cacheFrom: [{ type: "registry", ref }],
      cacheTo: [{ type: "registry", ref: `${registry.host}/tsbuild/minonly:main` }],
      outputs: [{ type: "local", dest: path.join(machineB, "..", path.basename(machineB) + "-out") }],
    });
    dirs.push(path.join(machineB, "..", path.basename(machineB) + "-out"));
    expect(b.steps.map((s) => [s.display, s.cached])).toEqual([
      ["COPY busybox /bin/busybox", true],
      ['RUN ["/bin/busybox", "--install", "-s", "/bin"]', true],
      ["RUN head -c 300000 /dev/urandom > /big && echo rebuilt > /out", false],
      ["COPY --from=builder /out /out", false],
    ]);
    expect(fs.readFileSync(path.join(machineB, "..", path.basename(machineB) + "-out", "out"), "utf8")).toBe(
      "rebuilt\n",
    );
    // mode=min (the default): only the final stage's step, not the builder's.
    const finalStep = b.steps[b.steps.length - 1];
    expect(finalStep.contentKey).toBeDefined();
    expect(await tags("tsbuild/minonly")).toEqual(
      [stepTag(finalStep.cacheKey), stepTag(finalStep.contentKey ?? ""), "main"].sort(),
    );
  });

  it("two builds exporting to one cache ref at once: both records are readable after", async () => {
    const ref = `${registry.host}/tsbuild/shared:main`;
    const one = context(BUSYBOX + "RUN echo one > /which\n");
    const two = context(BUSYBOX + "RUN echo two > /which\n");
    const [r1, r2] = await Promise.all([
      build({ context: one, cacheDir: temp("tsbuild-cache-1-"), cacheTo: [{ type: "registry", ref }] }),
      build({ context: two, cacheDir: temp("tsbuild-cache-2-"), cacheTo: [{ type: "registry", ref }] }),
    ]);
    // Every step tag of both builds is there, and a third machine hits all of both.
    const all = new Set([...r1.steps, ...r2.steps].map((s) => stepTag(s.cacheKey)));
    const present = new Set(await tags("tsbuild/shared"));
    for (const t of all) expect(present.has(t)).toBe(true);
    const machineC = temp("tsbuild-cache-c-");
    const c1 = await build({ context: one, cacheDir: machineC, cacheFrom: [{ type: "registry", ref }] });
    const c2 = await build({ context: two, cacheDir: machineC, cacheFrom: [{ type: "registry", ref }] });
    expect(c1.steps.every((s) => s.cached)).toBe(true);
    expect(c2.steps.every((s) => s.cached)).toBe(true);
    // Same layers: each build's own last step, and for the shared base steps the one record the
    // tag kept (both exported it; whichever came last wins, and the two builds' layers of those
    // steps differ when their RUNs ran in different seconds).
    const [d1, d2, e1, e2] = [c1, c2, r1, r2].map((r) => r.config.rootfs.diff_ids);
    expect([d1.length, d2.length]).toEqual([e1.length, e2.length]);
    expect([d1.at(-1), d2.at(-1)]).toEqual([e1.at(-1), e2.at(-1)]);
    for (let i = 0; i < e1.length - 1; i++) {
      expect(d2[i]).toBe(d1[i]);
      expect([e1[i], e2[i]]).toContain(d1[i]);
    }
    // The shared index is a valid OCI index whose every entry resolves (merge-on-write; it is a
    // listing, lookups never need it).
    const index = await registryGet(
      `/v2/tsbuild/shared/manifests/main`,
      "application/vnd.oci.image.index.v1+json",
    );
    const manifests = (index.body as { manifests: { digest: string }[] }).manifests;
    expect(manifests.length).toBeGreaterThanOrEqual(Math.min(r1.steps.length, r2.steps.length));
    for (const m of manifests)
      expect(
        (
          await registryGet(
            `/v2/tsbuild/shared/manifests/${m.digest}`,
            "application/vnd.oci.image.manifest.v1+json",
          )
        ).status,
      ).toBe(200);
  });
});

describe("local cache dir (OCI layout)", () => {
  it("type=local,dest then src: B hits everything; the dir is an OCI layout skopeo reads", async () => {
    const ctx = context(MULTI_STAGE);
    const dir = temp("tsbuild-cachedir-");
    const a = await build({
      context: ctx,
      cacheDir: temp("tsbuild-cache-a-"),
      cacheTo: [{ type: "local", dest: dir, mode: "max" }],
    });
    const b = await build({
      context: ctx,
      cacheDir: temp("tsbuild-cache-b-"),
      cacheFrom: [{ type: "local", src: dir }],
    });
    expect(b.steps.every((s) => s.cached)).toBe(true);
    expect(b.digest).toBe(a.digest);
    const last = a.steps[a.steps.length - 1];
    const out = execFileSync("skopeo", ["inspect", "--raw", `oci:${dir}:${stepTag(last.cacheKey)}`], {
      encoding: "utf8",
    });
    const manifest = JSON.parse(out) as { layers: { digest: string }[]; annotations: Record<string, string> };
    expect(manifest.layers.map((l) => l.digest)).toEqual([last.layer?.digest]);
    expect(manifest.annotations["dev.tsbuild.cache.key"]).toBe(last.cacheKey);
  });

  it("two builds exporting into one dir at once keep both records (index.json merged under a lock)", async () => {
    const dir = temp("tsbuild-cachedir-");
    const one = context(BUSYBOX + "RUN echo one > /which\n");
    const two = context(BUSYBOX + "RUN echo two > /which\n");
    await Promise.all([
      build({ context: one, cacheDir: temp("tsbuild-cache-1-"), cacheTo: [{ type: "local", dest: dir }] }),
      build({ context: two, cacheDir: temp("tsbuild-cache-2-"), cacheTo: [{ type: "local", dest: dir }] }),
    ]);
    const machineC = temp("tsbuild-cache-c-");
    for (const ctx of [one, two]) {
      const r = await build({ context: ctx, cacheDir: machineC, cacheFrom: [{ type: "local", src: dir }] });
      expect(r.steps.every((s) => s.cached)).toBe(true);
    }
  });
});

describe("cache mounts that travel", () => {
  const FILL = [
    "mkdir -p /root/.npm/_cacache",
    "echo '{\"v\":1}' > /root/.npm/index.json",
    "head -c 5000000 /dev/urandom > /root/.npm/_cacache/big",
    "echo one > /root/.npm/one",
    "echo two > /root/.npm/two",
    "ln -s index.json /root/.npm/link",
    "",
  ].join("\n");
  const DOCKERFILE =
    BUSYBOX +
    "COPY fill.sh /fill.sh\nARG PASS=1\n" +
    "RUN --mount=type=cache,id=npm,target=/root/.npm echo pass $PASS && (test -f /root/.npm/index.json || sh /fill.sh) && " +
    "find /root/.npm | sort > /seen && sha256sum /root/.npm/_cacache/big /root/.npm/one /root/.npm/two >> /seen && readlink /root/.npm/link >> /seen\n";

  it("machine B restores machine A's cache mount through the registry; a changed file uploads only its chunk", async () => {
    const ctx = context(DOCKERFILE, { "fill.sh": FILL });
    const ref = `${registry.host}/tsbuild/mounts:main`;
    const machineA = temp("tsbuild-cache-a-");
    const outA = temp("tsbuild-out-a-");
    const a = await build({
      context: ctx,
      cacheDir: machineA,
      cacheTo: [{ type: "registry", ref, cacheMounts: ["npm"] }],
      outputs: [{ type: "local", dest: outA }],
    });
    const mountA = a.remoteCache?.exports[0].mounts[0];
    expect(mountA).toMatchObject({ id: "npm", files: 4, bytes: 5_000_000 + 8 + 4 + 4 });
    expect(mountA?.skipped).toBeUndefined();
    // The 5 MB file is two fixed-size chunks; each small file one.
    expect(mountA?.chunks).toBe(5);
    expect(mountA?.uploadedChunks).toHaveLength(5);

    // B: an empty cache; a build arg changes the RUN's key, so it runs, after the restore.
    const machineB = temp("tsbuild-cache-b-");
    const outB = temp("tsbuild-out-b-");
    const b = await build({
      context: ctx,
      cacheDir: machineB,
      buildArgs: { PASS: "2" },
      cacheFrom: [{ type: "registry", ref }],
      outputs: [{ type: "local", dest: outB }],
    });
    expect(b.steps[b.steps.length - 1].cached).toBe(false);
    expect(b.remoteCache?.mountsRestored).toEqual([
      {
        id: "npm",
        from: `registry cache ${ref}`,
        files: 4,
        bytes: 5_000_016,
        durationMs: expect.any(Number),
      },
    ]);
    const seenA = fs.readFileSync(path.join(outA, "seen"), "utf8");
    expect(seenA).toContain("/root/.npm/_cacache/big");
    expect(fs.readFileSync(path.join(outB, "seen"), "utf8")).toBe(seenA);

    // A changes one file of its mount; the next export uploads that file's chunk and nothing
    // else of the mount (plus the new tree, its manifest and the index that lists it).
    const storeA = await CacheStore.open(machineA);
    fs.writeFileSync(path.join(storeA.mounts.path("npm"), "one"), "ONE changed\n");
    const before = registryBlobs();
    const again = await build({
      context: ctx,
      cacheDir: machineA,
      cacheTo: [{ type: "registry", ref, cacheMounts: ["npm"] }],
    });
    expect(again.steps.every((s) => s.cached)).toBe(true);
    const changed = `sha256:${createHash("sha256").update("ONE changed\n").digest("hex")}`;
    expect(again.remoteCache?.exports[0].mounts[0].uploadedChunks).toEqual([changed]);
    const added = [...registryBlobs()].filter((d) => !before.has(d));
    expect(added).toContain(changed);
    expect(added).toHaveLength(4);
  });

  it("through a local cache dir too: B's RUN sees A's files", async () => {
    const ctx = context(DOCKERFILE, { "fill.sh": FILL });
    const dir = temp("tsbuild-cachedir-");
    const outA = temp("tsbuild-out-a-");
    const outB = temp("tsbuild-out-b-");
    await build({
      context: ctx,
      cacheDir: temp("tsbuild-cache-a-"),
      cacheTo: [{ type: "local", dest: dir, cacheMounts: ["npm"] }],
      outputs: [{ type: "local", dest: outA }],
    });
    const b = await build({
      context: ctx,
      cacheDir: temp("tsbuild-cache-b-"),
      buildArgs: { PASS: "2" },
      cacheFrom: [{ type: "local", src: dir }],
      outputs: [{ type: "local", dest: outB }],
    });
    expect(b.remoteCache?.mountsRestored.map((m) => m.id)).toEqual(["npm"]);
    expect(fs.readFileSync(path.join(outB, "seen"), "utf8")).toBe(
      fs.readFileSync(path.join(outA, "seen"), "utf8"),
    );
  });

  it("cache-mounts-max-size: a mount over the limit is not exported", async () => {
    const ctx = context(DOCKERFILE, { "fill.sh": FILL });
    const ref = `${registry.host}/tsbuild/toolarge:main`;
    const r = await build({
      context: ctx,
      cacheDir: temp("tsbuild-cache-a-"),
      cacheTo: [{ type: "registry", ref, cacheMounts: ["npm"], cacheMountsMaxSize: 1_000_000 }],
    });
    expect(r.remoteCache?.exports[0].mounts[0]).toMatchObject({
      id: "npm",
      skipped: "too-large",
      uploadedChunks: [],
    });
    expect((await tags("tsbuild/toolarge")).some((t) => t.startsWith("mount-"))).toBe(false);
  });
});
