import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { CacheStore } from "../../src/cache";
import { loadStoredImage } from "../../src/cli/stored-image";
import { build } from "../../src/engine/build";
import type { BuildEvent } from "../../src/engine/progress";
import { MediaType } from "../../src/image/media-types";
import { ensureEmulation, foreignBusybox, type Emulation } from "../support/emulation";
import { startRegistry, type TestRegistry } from "../support/registry";
import { buildWithEvents, rm, tempTree } from "./helpers";

/**
 * Multi-platform builds (linux/amd64 + linux/arm64) against a real docker-registry on 127.0.0.1:
 * the base is a manifest list of two busybox images (the host's, and Debian's busybox-static:arm64
 * run through QEMU), assembled by hand so the base does not depend on the feature under test.
 * Outputs are checked with skopeo, the independent reader.
 */
jest.setTimeout(600_000);

let registry: TestRegistry;
let emulation: Emulation;
let cache: string;
let work: string;
let base: string;

interface IndexDoc {
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform?: Record<string, string> }[];
}

/** GET or PUT a manifest on the test registry (plain HTTP on loopback). */
function manifestRequest(
  method: "GET" | "PUT",
  repo: string,
  ref: string,
  body?: { type: string; data: Buffer },
): Promise<{ status: number; data: Buffer; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: registry.port,
        method,
        path: `/v2/${repo}/manifests/${ref}`,
        headers: body
          ? { "content-type": body.type, "content-length": body.data.length }
          : { accept: `${MediaType.ociManifest}, ${MediaType.ociIndex}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            data: Buffer.concat(chunks),
            type: String(res.headers["content-type"] ?? ""),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body?.data);
  });
}

function skopeo(...args: string[]): string {
  return execFileSync("skopeo", args, { encoding: "utf8" });
}

/** A step's label without its "i/n" position (which counts ARG steps or not, as history does). */
function prefix(label: string): string {
  return label.replace(/ \d+\/\d+\]$/, "]");
}

function stepStarts(events: BuildEvent[]): Extract<BuildEvent, { type: "step-start" }>[] {
  return events.filter((e): e is Extract<BuildEvent, { type: "step-start" }> => e.type === "step-start");
}

beforeAll(async () => {
  registry = await startRegistry();
  emulation = ensureEmulation("aarch64");
  cache = tempTree({}, "tsbuild-cache-");
  work = tempTree({}, "tsbuild-mp-");
  // One single-platform busybox image per architecture (COPY only), pushed by digest...
  const entries: IndexDoc["manifests"] = [];
  for (const [arch, bin] of [
    ["amd64", "/bin/busybox"],
    ["arm64", foreignBusybox("arm64")],
  ] as const) {
    const ctx = path.join(work, `base-${arch}`);
    fs.mkdirSync(path.join(ctx, "bin"), { recursive: true });
    fs.copyFileSync(bin, path.join(ctx, "bin/busybox"));
    fs.chmodSync(path.join(ctx, "bin/busybox"), 0o755);
    for (const applet of ["sh", "uname", "cat", "echo"])
      fs.symlinkSync("busybox", path.join(ctx, "bin", applet));
    fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY bin /bin/\n");
    const ref = `${registry.host}/mp/busybox:${arch}`;
    const r = await build({
      context: ctx,
      cacheDir: cache,
      platform: `linux/${arch}`,
      tags: [ref],
      outputs: [{ type: "registry" }],
    });
    expect(r.config.architecture).toBe(arch);
    const got = await manifestRequest("GET", "mp/busybox", r.digest);
    expect(got.status).toBe(200);
    entries.push({
      mediaType: MediaType.ociManifest,
      digest: r.digest,
      size: got.data.length,
      platform: { architecture: arch, os: "linux" },
    });
  }
  // ...and a manifest list naming both, written to the registry directly.
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries }),
  );
  const put = await manifestRequest("PUT", "mp/busybox", "1", { type: MediaType.ociIndex, data: index });
  expect(put.status).toBe(201);
  base = `${registry.host}/mp/busybox:1`;
}, 600_000);

afterAll(async () => {
  emulation?.restore();
  await registry?.stop();
  rm(cache, work);
});

test("amd64 + arm64: RUN runs each natively or emulated; OCI archive, push and local output hold both", async () => {
  const ctx = tempTree({
    Dockerfile: `FROM ${base}\nARG TARGETARCH\nRUN uname -m > /arch && echo $TARGETARCH > /targetarch && uname -m\n`,
  });
  const archive = path.join(work, "two.tar");
  const local = path.join(work, "two-local");
  const layout = path.join(work, "two-layout");
  const appRef = `${registry.host}/mp/app:1`;
  try {
    const { result, events } = await buildWithEvents({
      context: ctx,
      cacheDir: cache,
      platform: "linux/amd64,arm64",
      tags: [appRef],
      outputs: [
        { type: "oci", dest: archive, tar: true },
        { type: "local", dest: local },
        { type: "oci", dest: layout, tar: false },
        { type: "registry" },
      ],
    });
    // Each platform's RUN ran once, labelled with its platform; arm64's printed aarch64.
    const runs = stepStarts(events).filter((e) => e.display.startsWith("RUN"));
    expect(runs.map((e) => prefix(e.label)).sort()).toEqual(["[linux/amd64 0]", "[linux/arm64 0]"]);
    const arm = runs.find((e) => e.label.startsWith("[linux/arm64")) as (typeof runs)[number];
    const armLog = events
      .filter((e) => e.type === "step-log" && e.vertex === arm.vertex)
      .map((e) => (e.type === "step-log" ? e.text : ""))
      .join("");
    expect(armLog).toBe("aarch64\n");
    expect(result.mediaType).toBe(MediaType.ociIndex);
    expect(result.platforms?.map((p) => [p.platform, p.config.architecture])).toEqual([
      ["linux/amd64", "amd64"],
      ["linux/arm64", "arm64"],
    ]);

    // The OCI archive: index.json → one image index with the two platforms' manifests.
    const raw = JSON.parse(skopeo("inspect", "--raw", `oci-archive:${archive}`)) as IndexDoc;
    expect(raw.mediaType).toBe(MediaType.ociIndex);
    expect(raw.manifests.map((m) => [m.platform?.os, m.platform?.architecture, m.digest])).toEqual([
      ["linux", "amd64", result.platforms?.[0].digest],
      ["linux", "arm64", result.platforms?.[1].digest],
    ]);
    // skopeo re-hashes every blob of both images while copying.
    skopeo("copy", "--all", `oci-archive:${archive}`, `oci:${path.join(work, "copied")}:x`);

    // type=oci,tar=false: the same index in a layout directory.
    const fromDir = JSON.parse(skopeo("inspect", "--raw", `oci:${layout}`)) as IndexDoc;
    expect(fromDir).toEqual(raw);

    // The local image store: the tag names an index; the stored image is the first platform's.
    const store = await CacheStore.open(cache);
    const stored = await loadStoredImage(store, appRef);
    // The store keeps layers uncompressed (other digests than the exported ones), same diff_ids.
    expect(stored.entry.mediaType).toBe(MediaType.ociIndex);
    expect(stored.config.architecture).toBe("amd64");
    expect(stored.config.rootfs.diff_ids).toEqual(result.platforms?.[0].config.rootfs.diff_ids);

    // type=local: one directory per platform, named as buildx names them.
    expect(fs.readdirSync(local).sort()).toEqual(["linux_amd64", "linux_arm64"]);
    expect(fs.readFileSync(path.join(local, "linux_amd64/arch"), "utf8")).toBe("x86_64\n");
    expect(fs.readFileSync(path.join(local, "linux_arm64/arch"), "utf8")).toBe("aarch64\n");
    expect(fs.readFileSync(path.join(local, "linux_arm64/targetarch"), "utf8")).toBe("arm64\n");

    // The registry: the tag is the index; each platform pulls back its own image.
    const pushed = JSON.parse(
      skopeo("inspect", "--raw", "--tls-verify=false", `docker://${appRef}`),
    ) as IndexDoc;
    expect(pushed.manifests.map((m) => m.digest)).toEqual(raw.manifests.map((m) => m.digest));
    // skopeo's Digest is what the tag names (the index); Layers are the chosen platform's image.
    for (const [arch, i] of [
      ["arm64", 1],
      ["amd64", 0],
    ] as const) {
      const one = JSON.parse(
        skopeo("--override-arch", arch, "inspect", "--tls-verify=false", `docker://${appRef}`),
      ) as { Architecture: string; Digest: string; Layers: string[] };
      expect(one.Architecture).toBe(arch);
      expect(one.Digest).toBe(result.digest);
      expect(one.Layers).toEqual(result.platforms?.[i].manifest.layers.map((l) => l.digest));
    }

    // The local image store holds the index: a later arm64 build FROM the tag gets arm64's image.
    const next = tempTree({ Dockerfile: `FROM ${appRef}\nRUN cat /arch\n` });
    try {
      const again = await build({ context: next, cacheDir: cache, platform: "linux/arm64" });
      expect(again.config.architecture).toBe("arm64");
      expect(again.config.rootfs.diff_ids.slice(0, 2)).toEqual(result.platforms?.[1].config.rootfs.diff_ids);
    } finally {
      rm(next);
    }
  } finally {
    rm(ctx);
  }
});

test("cross-compile: the FROM --platform=$BUILDPLATFORM stage is built once for both targets", async () => {
  const ctx = tempTree({
    Dockerfile: [
      `FROM --platform=$BUILDPLATFORM ${base} AS build`,
      "RUN echo compiled-on-$(uname -m) > /tool",
      `FROM ${base}`,
      "COPY --from=build /tool /tool",
      "RUN uname -m > /arch",
      "",
    ].join("\n"),
  });
  const local = path.join(work, "cross-local");
  try {
    const { result, events } = await buildWithEvents({
      context: ctx,
      cacheDir: cache,
      noCache: true,
      platform: ["linux/amd64", "linux/arm64"],
      outputs: [{ type: "local", dest: local }],
    });
    const compile = stepStarts(events).filter((e) => e.display.includes("compiled-on"));
    expect(compile.map((e) => e.label)).toEqual(["[linux/amd64 build 1/1]"]);
    expect(result.steps.filter((s) => s.display.includes("compiled-on"))).toHaveLength(1);
    // The per-platform stages ran twice: once per target.
    const final = stepStarts(events).filter((e) => e.display.startsWith("RUN uname"));
    expect(final.map((e) => e.label).sort()).toEqual(["[linux/amd64 1 2/2]", "[linux/arm64 1 2/2]"]);
    for (const dir of ["linux_amd64", "linux_arm64"])
      expect(fs.readFileSync(path.join(local, dir, "tool"), "utf8")).toBe("compiled-on-x86_64\n");
    expect(fs.readFileSync(path.join(local, "linux_arm64/arch"), "utf8")).toBe("aarch64\n");
  } finally {
    rm(ctx);
  }
});

test("a build stage that reads TARGETARCH is built once per target", async () => {
  const ctx = tempTree({
    Dockerfile: [
      `FROM --platform=$BUILDPLATFORM ${base} AS build`,
      "ARG TARGETARCH",
      "RUN echo for-$TARGETARCH > /tool",
      "FROM scratch",
      "COPY --from=build /tool /tool",
      "",
    ].join("\n"),
  });
  try {
    const { events } = await buildWithEvents({
      context: ctx,
      cacheDir: cache,
      noCache: true,
      platform: "linux/amd64,linux/arm64",
    });
    const compile = stepStarts(events).filter((e) => e.display.includes("for-$TARGETARCH"));
    expect(compile.map((e) => prefix(e.label)).sort()).toEqual([
      "[linux/amd64 build]",
      "[linux/amd64->linux/arm64 build]",
    ]);
  } finally {
    rm(ctx);
  }
});

test("upstream testPlatformArgsExplicit: TARGET* in a build-platform stage, a build arg overrides one", async () => {
  const ctx = tempTree({
    Dockerfile: [
      `FROM --platform=$BUILDPLATFORM ${base} AS build`,
      "ARG TARGETPLATFORM",
      "ARG TARGETOS",
      "RUN mkdir /out && echo -n $TARGETPLATFORM > /out/platform && echo -n $TARGETOS > /out/os",
      "FROM scratch",
      "COPY --from=build out .",
      "",
    ].join("\n"),
  });
  const local = path.join(work, "explicit-local");
  try {
    const result = await build({
      context: ctx,
      cacheDir: cache,
      platform: "darwin/ppc64le",
      buildArgs: { TARGETOS: "freebsd" },
      outputs: [{ type: "local", dest: local }],
    });
    expect(fs.readFileSync(path.join(local, "platform"), "utf8")).toBe("darwin/ppc64le");
    expect(fs.readFileSync(path.join(local, "os"), "utf8")).toBe("freebsd");
    expect([result.config.os, result.config.architecture]).toEqual(["darwin", "ppc64le"]);
  } finally {
    rm(ctx);
  }
});

test("steps without changes on both platforms at once share the build's one empty layer", async () => {
  const ctx = tempTree({
    Dockerfile: `FROM ${base}\nRUN true\nRUN true && true\nRUN true && true && true\n`,
  });
  try {
    const result = await build({
      context: ctx,
      cacheDir: cache,
      noCache: true,
      platform: "linux/amd64,linux/arm64",
    });
    const layers = result.platforms?.map((p) => p.manifest.layers.slice(-3).map((l) => l.digest));
    expect(new Set(layers?.flat()).size).toBe(1);
  } finally {
    rm(ctx);
  }
});

test("a Docker archive refuses several platforms before any work, naming them", async () => {
  const ctx = tempTree({ Dockerfile: "FROM scratch\n" });
  try {
    await expect(
      build({
        context: ctx,
        cacheDir: cache,
        platform: "linux/amd64,linux/arm64",
        outputs: [{ type: "docker", dest: path.join(work, "x.tar") }],
      }),
    ).rejects.toMatchObject({
      code: "USAGE",
      message: expect.stringMatching(
        /type=docker: a Docker archive holds one platform.*\(linux\/amd64, linux\/arm64\)/,
      ),
    });
    expect(fs.existsSync(path.join(work, "x.tar"))).toBe(false);
  } finally {
    rm(ctx);
  }
});

test("an unknown platform is a usage error naming the value", async () => {
  const ctx = tempTree({ Dockerfile: "FROM scratch\n" });
  try {
    await expect(
      build({ context: ctx, cacheDir: cache, platform: "linux/amd64,linux/amd6" }),
    ).rejects.toMatchObject({
      code: "USAGE",
      message: '--platform: invalid platform "linux/amd6": "amd6" is not a known architecture',
    });
  } finally {
    rm(ctx);
  }
});
