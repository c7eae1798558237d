import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { CacheStore } from "../../src/cache";
import { prune } from "../../src/cache/prune";
import { build } from "../../src/engine/build";
import type { BuildOptions, BuildResult } from "../../src/engine/build-options";
import { configDescriptor } from "../../src/image/image";
import { pushImage } from "../../src/registry/push";
import type { CaseEnv, HostileCase } from "./harness";
import { SECRET_TEXT } from "./harness";

/**
 * The cache directory damaged, shared and starved, and the registry misbehaving behind the fault
 * proxy. An OK case here must give exactly the digest of a clean build; an E case must leave the
 * cache usable (the suite's probe build after every case) and, for pushes, no tag moved.
 */
const BB = (e: CaseEnv): string => `${e.registry}/hostile/busybox:1`;
const ctx = (extra: Record<string, string> = {}): Record<string, string> => ({
  a: "a\n",
  b: "b".repeat(100_000),
  Dockerfile: "FROM scratch\nCOPY a /a\nCOPY b /b\nLABEL k=v\n",
  ...extra,
});

/** Builds once, damages every file in `sub` of the cache with `damage`, builds again. */
function damaged(sub: "blobs" | "records", damage: (file: string) => void) {
  return async (_e: CaseEnv, options: BuildOptions): Promise<BuildResult> => {
    const first = await build(options);
    const dir = path.join(options.cacheDir as string, sub);
    const walk = (d: string): void => {
      for (const n of fs.readdirSync(d)) {
        const p = path.join(d, n);
        if (fs.lstatSync(p).isDirectory()) walk(p);
        else damage(p);
      }
    };
    walk(dir);
    const again = await build(options);
    expect(again.digest).toBe(first.digest);
    return again;
  };
}

/** A tag's manifest digest, straight from the registry. */
function tagDigest(host: string, repo: string, tag: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: Number(host.split(":")[1]),
        path: `/v2/${repo}/manifests/${tag}`,
        method: "HEAD",
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? String(res.headers["docker-content-digest"]) : undefined);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** A push output to `case/pushed:1` through the proxy; the tag holds busybox before the case. */
let tagBefore: string | undefined;
const pushCase = (
  id: string,
  title: string,
  faults: NonNullable<HostileCase["faults"]>,
  error: RegExp,
): HostileCase => ({
  id,
  outcome: "E",
  title,
  anchor: "a half-pushed image, or a tag moved to it",
  setup: async (e) => {
    await pushImage(e.busybox!, `${e.direct}/case/${id}:1`, { credentials: async () => undefined });
    tagBefore = await tagDigest(e.direct, `case/${id}`, "1");
  },
  context: () => ctx(),
  options: (e) => ({ outputs: [{ type: "registry", names: [`${e.registry}/case/${id}:1`] }] }),
  faults,
  error,
  verify: async (e) => {
    expect(tagBefore).toMatch(/^sha256:/);
    expect(await tagDigest(e.direct, `case/${id}`, "1")).toBe(tagBefore);
  },
});

/** The busybox manifest with `edit` applied, served by the proxy for the case's FROM. */
function editedManifest(
  id: string,
  title: string,
  anchor: string,
  edit: (m: Record<string, unknown>, e: CaseEnv) => void,
  error: RegExp,
): HostileCase {
  let body = "";
  return {
    id,
    outcome: "E",
    title,
    anchor,
    setup: async (e) => {
      const img = e.busybox!;
      const layer = img.layers[0];
      const m: Record<string, unknown> = {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: configDescriptor(img),
        layers: [
          { mediaType: await layer.mediaType(), digest: await layer.digest(), size: await layer.size() },
        ],
      };
      edit(m, e);
      body = JSON.stringify(m);
    },
    faults: () => [
      {
        match: (_m, p) => p.includes("/manifests/"),
        action: {
          kind: "status",
          status: 200,
          headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
          get body() {
            return body;
          },
        },
      },
    ],
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\nRUN true\n` }),
    error,
  };
}

const fastNet = { network: { idleTimeoutMs: 800, lowSpeedLimit: 200, maxTimeMs: 20_000 } };

function loopCache(e: CaseEnv, mib: number): void {
  const img = path.join(e.target, "fs.img");
  fs.mkdirSync(e.cacheDir, { recursive: true });
  execFileSync("truncate", ["-s", `${mib}M`, img]);
  execFileSync("mkfs.ext4", ["-q", "-F", img]);
  execFileSync("mount", ["-o", "loop", img, e.cacheDir]);
}
function unloop(e: CaseEnv): void {
  if (execFileSync("findmnt", ["-rn", "-o", "TARGET"]).toString().split("\n").includes(e.cacheDir))
    execFileSync("umount", [e.cacheDir]);
}

export const CACHE_CASES: HostileCase[] = [
  // --- The cache directory -------------------------------------------------------------------------
  {
    id: "cache-corrupt-blobs",
    outcome: "OK",
    title: "every cached blob with a flipped byte, then the same build",
    anchor: "a damaged cache giving a wrong image (BuildKit content store checks)",
    context: () => ctx(),
    action: damaged("blobs", (f) => {
      const b = fs.readFileSync(f);
      if (b.length > 0) b[b.length >> 1] ^= 0xff;
      fs.writeFileSync(f, b);
    }),
  },
  {
    id: "cache-truncated-blobs",
    outcome: "OK",
    title: "every cached blob cut to half",
    anchor: "a partial write after a crash taken as a layer",
    context: () => ctx(),
    action: damaged("blobs", (f) => fs.truncateSync(f, fs.statSync(f).size >> 1)),
  },
  {
    id: "cache-missing-blobs",
    outcome: "OK",
    title: "every cached blob deleted, records kept",
    anchor: "a record pointing at nothing",
    context: () => ctx(),
    action: damaged("blobs", (f) => fs.rmSync(f)),
  },
  {
    id: "cache-corrupt-records",
    outcome: "OK",
    title: "every step record replaced with invalid JSON",
    anchor: "a crash on a damaged record",
    context: () => ctx(),
    action: damaged("records", (f) => fs.writeFileSync(f, '{"layer": {"digest": "sha256:zz"')),
  },
  {
    id: "cache-record-to-secret",
    outcome: "C",
    title: "every cached blob replaced by a symlink to the host secret",
    anchor: "a cache entry made to read a host file into the image",
    context: () => ctx(),
    action: async (e, options) => {
      const first = await build(options);
      const dir = path.join(e.cacheDir, "blobs", "sha256");
      for (const n of fs.readdirSync(dir)) {
        fs.rmSync(path.join(dir, n));
        fs.symlinkSync(e.secret, path.join(dir, n));
      }
      const again = await build(options);
      expect(again.digest).toBe(first.digest);
      return again;
    },
    check: (_r, out) => {
      for (const n of fs.readdirSync(out))
        expect(fs.readFileSync(path.join(out, n), "utf8")).not.toContain(SECRET_TEXT.trim());
    },
  },
  {
    id: "cache-concurrent-builds",
    outcome: "OK",
    title: "two builds of the same Dockerfile into one cache at once",
    anchor: "lost or torn records and blobs under concurrent writers",
    context: (e) => ({ ...ctx(), Dockerfile: `FROM ${BB(e)}\nCOPY a /a\nRUN cat /a > /c\nCOPY b /b\n` }),
    action: async (_e, options) => {
      const [x, y] = await Promise.all([build(options), build({ ...options, outputs: [] })]);
      expect(y.digest).toBe(x.digest);
      return x;
    },
  },
  {
    id: "cache-prune-during-build",
    outcome: "OK",
    title: "prune --all while a build runs a 2 s RUN",
    anchor: "prune deleting what a running build uses",
    context: (e) => ({
      ...ctx(),
      Dockerfile: `FROM ${BB(e)}\nCOPY a /a\nRUN sleep 2 && cat /a > /c\nCOPY b /b\n`,
    }),
    action: async (e, options) => {
      const running = build(options);
      await new Promise((r) => setTimeout(r, 1000));
      const store = await CacheStore.open(e.cacheDir);
      await prune(store, { all: true });
      const result = await running;
      await prune(store, { all: true });
      return result;
    },
  },
  {
    id: "cache-enospc",
    outcome: "E",
    title: "COPY of 40 MB into a cache on a 16 MiB filesystem",
    anchor: "ENOSPC as a crash, a torn blob or a cache left unusable",
    setup: (e) => {
      loopCache(e, 16);
      fs.mkdirSync(e.context, { recursive: true });
      fs.writeFileSync(path.join(e.context, "big"), randomBytes(40 << 20));
    },
    teardown: unloop,
    context: () => ({ Dockerfile: "FROM scratch\nCOPY big /big\n" }),
    options: () => ({ compression: "uncompressed" }),
    error: /Dockerfile:2:1: COPY big \/big: .*(ENOSPC|no space left on device)/i,
  },
  // --- Registry: reads --------------------------------------------------------------------------------
  {
    id: "registry-tampered-blob",
    outcome: "E",
    title: "a registry flipping a byte of every blob",
    anchor: "content not matching its digest accepted (distribution/containerd verification)",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\nRUN true\n` }),
    faults: () => [{ match: (m, p) => m === "GET" && p.includes("/blobs/"), action: { kind: "tamper" } }],
    error: /digest/i,
  },
  {
    id: "registry-truncated-blob",
    outcome: "E",
    title: "a registry cutting every blob after 100 bytes",
    anchor: "a short blob taken as complete",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\nRUN true\n` }),
    options: () => fastNet,
    faults: () => [
      { match: (m, p) => m === "GET" && p.includes("/blobs/"), action: { kind: "truncate", bytes: 100 } },
    ],
    error: /truncated|cut short|bytes/i,
  },
  {
    id: "registry-5xx-blob",
    outcome: "E",
    title: "a registry answering 503 to every blob",
    anchor: "endless retries, or an error without the status",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\nRUN true\n` }),
    faults: () => [
      { match: (m, p) => m === "GET" && p.includes("/blobs/"), action: { kind: "status", status: 503 } },
    ],
    error: /503/,
  },
  {
    id: "registry-reset-blob",
    outcome: "E",
    title: "a registry resetting every blob connection",
    anchor: "an uncaught socket error",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\nRUN true\n` }),
    faults: () => [{ match: (m, p) => m === "GET" && p.includes("/blobs/"), action: { kind: "reset" } }],
    error: /reset|socket|closed|connection/i,
  },
  {
    id: "registry-huge-manifest",
    outcome: "E",
    title: "a 64 MiB manifest",
    anchor: "memory exhaustion reading a manifest (containerd's 4 MiB limit)",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\n` }),
    faults: () => [
      { match: (_m, p) => p.includes("/manifests/"), action: { kind: "huge-manifest", bytes: 64 << 20 } },
    ],
    error: /over the 4194304-byte limit/,
  },
  {
    id: "registry-redirect-loop",
    outcome: "E",
    title: "a registry redirecting a blob to itself",
    anchor: "a redirect loop followed forever",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\n` }),
    faults: (e) => [
      {
        match: (m, p) => m === "GET" && p.includes("/blobs/"),
        action: {
          kind: "status",
          status: 307,
          headers: { location: `http://${e.registry}/v2/hostile/busybox/blobs/loop` },
        },
      },
    ],
    error:
      /blob sha256:[0-9a-f]{64}: registry 127\.0\.0\.1:\d+ redirected more than 5 times \(a redirect loop\), last to http:\/\/127\.0\.0\.1:\d+\/v2\/hostile\/busybox\/blobs\/loop/,
  },
  {
    id: "registry-401-loop",
    outcome: "E",
    title: "a registry whose token endpoint answers 401 as well",
    anchor: "an authentication loop",
    context: (e) => ({ Dockerfile: `FROM ${BB(e)}\n` }),
    faults: (e) => [
      {
        match: (_m, p) => p.startsWith("/v2/"),
        action: {
          kind: "status",
          status: 401,
          headers: {
            "www-authenticate": `Bearer realm="http://${e.registry}/token",service="x",scope="repository:hostile/busybox:pull"`,
          },
        },
      },
      { match: (_m, p) => p.startsWith("/token"), action: { kind: "status", status: 401 } },
    ],
    error: /401|unauthorized|denied/i,
  },
  editedManifest(
    "registry-wrong-size",
    "a manifest whose layer size is 1 byte short",
    "a blob longer than its descriptor accepted",
    (m) => {
      const layers = m.layers as Array<{ size: number }>;
      layers[0].size -= 1;
    },
    /blob sha256:[0-9a-f]{64}: registry 127\.0\.0\.1:\d+ sent \d+ bytes, the descriptor says \d+/,
  ),
  editedManifest(
    "registry-huge-config",
    "a manifest whose config claims 1 GiB",
    "memory exhaustion reading a config",
    (m) => {
      (m.config as { size: number }).size = 1 << 30;
    },
    /over the 8388608-byte limit/,
  ),
  editedManifest(
    "registry-layers-and-manifests",
    "a manifest holding both layers and manifests",
    "ambiguous manifest read as an image or an index (containerd CVE-2021-41190)",
    (m) => {
      m.manifests = [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: `sha256:${"2".repeat(64)}`,
          size: 2,
        },
      ];
    },
    /ambiguous: it has both "manifests" and "layers" \(CVE-2021-41190\)/,
  ),
  // --- Registry: pushes -------------------------------------------------------------------------------
  pushCase(
    "registry-push-5xx",
    "a push whose blob uploads all answer 503",
    () => [
      {
        match: (m, p) => m !== "GET" && m !== "HEAD" && p.includes("/blobs/"),
        action: { kind: "status", status: 503 },
      },
    ],
    /503/,
  ),
  pushCase(
    "registry-push-reset",
    "a push whose manifest PUT is always reset",
    () => [{ match: (m, p) => m === "PUT" && p.includes("/manifests/"), action: { kind: "reset" } }],
    /reset|socket|closed|connection/i,
  ),
];
