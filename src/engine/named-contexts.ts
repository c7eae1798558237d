import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { CacheStore } from "../cache";
import { openContext, type BuildContext } from "../context";
import { contextFingerprinter } from "./context-fingerprinter";
import { copyLayerEntries } from "../copy";
import { BlobLayer } from "../image/blob-layer";
import { buildLayer } from "../image/build-layer";
import type { ImageConfig } from "../image/config";
import type { Descriptor, Platform } from "../image/descriptor";
import { sha256Digest } from "../image/digest";
import { emptyImage } from "../image/image";
import type { Compression } from "../image/media-types";
import { AnnotationRefName, type OciIndex, type OciManifest } from "../image/manifest";
import { UsageError, errorMessage } from "../errors";
import { isRecord } from "../guards";
import type { ImageResolver, ResolvedImage } from "../planner/dispatch/inputs";
import { formatPlatform } from "../planner/platform";
import { LayerView } from "../rootfs/layer-view";
import { familiarString, tryParseReference } from "../registry/reference";
import { BuildError } from "./errors";
import type { BaseImages } from "./base-images";

/**
 * `--build-context NAME=SOURCE`: what `FROM NAME`, `COPY --from=NAME` and `RUN --mount=from=NAME`
 * read instead of the image NAME. A directory acts as an image of one layer holding its files (its
 * own .dockerignore applies, owners are root, as COPY from the main context makes them); an image
 * reference is resolved like a FROM; an OCI layout's image is imported (digests checked).
 */
export type NamedContext =
  | { name: string; kind: "dir"; path: string }
  | { name: string; kind: "image"; ref: string }
  | { name: string; kind: "oci-layout"; path: string; tag?: string; digest?: string };

/**
 * Parses `name=./dir`, `name=docker-image://ref`, `name=oci-layout://path[:tag|@tag|@sha256:…]`
 * (buildx syntax). Git and HTTP sources and `target:` (bake) are usage errors.
 */
export function parseBuildContext(text: string): NamedContext {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1)
    throw new UsageError(
      `--build-context: "${text}" is not NAME=SOURCE (a directory, docker-image://REF, oci-layout://PATH)`,
    );
  const name = text.slice(0, eq);
  const source = text.slice(eq + 1);
  if (contextKey(name) === undefined)
    throw new UsageError(
      `--build-context: "${name}" is not a valid context name (an image name, lower case)`,
    );
  if (source.startsWith("docker-image://")) {
    const ref = source.slice("docker-image://".length);
    if (tryParseReference(ref) === undefined)
      throw new UsageError(`--build-context ${name}: "${ref}" is not an image reference`);
    return { name, kind: "image", ref };
  }
  if (source.startsWith("oci-layout://"))
    return { name, ...parseLayoutSource(source.slice("oci-layout://".length)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith("target:"))
    throw new UsageError(
      `--build-context ${name}: "${source}" is not supported (use a directory, docker-image://REF or oci-layout://PATH)`,
    );
  return { name, kind: "dir", path: source };
}

/** `path`, `path:tag`, `path@tag`, `path@sha256:…` (the tag colon comes after the last "/"). */
function parseLayoutSource(text: string): {
  kind: "oci-layout";
  path: string;
  tag?: string;
  digest?: string;
} {
  const digest = /^(.*)@(sha256:[a-f0-9]{64})$/.exec(text);
  if (digest) return { kind: "oci-layout", path: digest[1] ?? "", digest: digest[2] ?? "" };
  const at = text.lastIndexOf("@");
  if (at > text.lastIndexOf("/"))
    return { kind: "oci-layout", path: text.slice(0, at), tag: text.slice(at + 1) };
  const colon = text.lastIndexOf(":");
  if (colon > text.lastIndexOf("/"))
    return { kind: "oci-layout", path: text.slice(0, colon), tag: text.slice(colon + 1) };
  return { kind: "oci-layout", path: text };
}

/**
 * How BuildKit matches a context name to a FROM value: both normalized to Docker's familiar form
 * without ":latest", so `alpine`, `alpine:latest` and `docker.io/library/alpine` are one name.
 */
function contextKey(name: string): string | undefined {
  const ref = tryParseReference(name);
  return ref === undefined ? undefined : familiarString(ref).replace(/:latest$/, "");
}

/** A multi-platform build loads each named context once per platform. */
function loadKey(ref: string, platform: Platform): string {
  return `${ref}@${formatPlatform(platform)}`;
}

type Loaded = ResolvedImage & { layers: () => Promise<BlobLayer[]> };

/** Where named contexts' synthetic layers are written and how they are compressed. */
export interface NamedContextSettings {
  store: CacheStore;
  tmpDir: string;
  compression: Compression;
}

/** The build's image resolver: named contexts first, every other name through BaseImages. */
export class NamedContexts implements ImageResolver {
  private readonly byKey = new Map<string, NamedContext>();
  private readonly loaded = new Map<string, Promise<Loaded>>();

  constructor(
    private readonly base: BaseImages,
    contexts: readonly NamedContext[],
    private readonly settings: NamedContextSettings,
  ) {
    for (const c of contexts) {
      const key = contextKey(c.name);
      if (key !== undefined) this.byKey.set(key, c);
    }
  }

  resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    const named = this.named(ref);
    if (named === undefined) return this.base.resolve(ref, platform);
    if (named.kind === "image") return this.base.resolve(named.ref, platform).then((r) => ({ ...r, ref }));
    return this.load(ref, named, platform);
  }

  replacesStage(name: string): boolean {
    return this.named(name) !== undefined;
  }

  /** The layers and config of a resolved image or named context. */
  async layers(ref: string, platform: Platform): Promise<{ layers: BlobLayer[]; config: ImageConfig }> {
    const named = this.named(ref);
    if (named === undefined) return this.base.layers(ref, platform);
    if (named.kind === "image") return this.base.layers(named.ref, platform);
    const image = await this.loaded.get(loadKey(ref, platform));
    if (image === undefined) throw new Error(`named context ${ref} read before it was resolved`);
    const layers = await image.layers();
    const config = structuredClone(image.config);
    config.rootfs = { type: "layers", diff_ids: await Promise.all(layers.map((l) => l.diffId())) };
    return { layers, config };
  }

  private named(ref: string): NamedContext | undefined {
    const key = contextKey(ref);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  private load(
    ref: string,
    named: Exclude<NamedContext, { kind: "image" }>,
    platform: Platform,
  ): Promise<Loaded> {
    let p = this.loaded.get(loadKey(ref, platform));
    if (p === undefined) {
      p = (async (): Promise<Loaded> => {
        const image =
          named.kind === "dir"
            ? await this.dirImage(named, platform)
            : await this.layoutImage(named, platform);
        return { ...image, ref };
      })();
      this.loaded.set(loadKey(ref, platform), p);
    }
    return p;
  }

  /**
   * A directory as an image of one layer. Its key is the content fingerprint of its files (as
   * COPY from the main context keys on), never mtimes, so a fresh CI checkout stays cached; the
   * layer itself is built only when a step or the image needs it.
   */
  private async dirImage(named: Extract<NamedContext, { kind: "dir" }>, platform: Platform): Promise<Loaded> {
    const dir = path.resolve(named.path);
    const context = await openContext(dir).catch((err: unknown) => {
      throw new BuildError(
        "BUILD_CONTEXT",
        `--build-context ${named.name}=${named.path}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    });
    const fingerprint = await contextFingerprinter(context).fingerprint(["."], { exclude: [] });
    const digest = sha256Digest(Buffer.from(`build-context:${formatPlatform(platform)}:${fingerprint}`));
    const config: ImageConfig = {
      ...structuredClone(emptyImage(platform).config),
      history: [{ created_by: `--build-context ${named.name}` }],
    };
    let layer: Promise<BlobLayer> | undefined;
    const build = (): Promise<BlobLayer> => (layer ??= this.dirLayer(named, context));
    return { ref: named.name, digest, config, layers: async () => [await build()] };
  }

  private async dirLayer(
    named: Extract<NamedContext, { kind: "dir" }>,
    context: BuildContext,
  ): Promise<BlobLayer> {
    const { store, tmpDir, compression } = this.settings;
    const scratch = await fsp.mkdtemp(path.join(tmpDir, "named-"));
    const entries = copyLayerEntries(
      {
        display: `--build-context ${named.name}`,
        instruction: "COPY",
        source: { kind: "context" },
        sources: ["."],
        dest: "/",
        parents: false,
        exclude: [],
      },
      { context, destView: new LayerView([]), tmpDir: scratch },
    );
    const built = await buildLayer(entries, { dir: scratch, compression });
    await store.blobs.importHashed(built.info.path, built.info);
    return new BlobLayer({ ...built.info, path: store.blobs.path(built.info.digest) });
  }

  /** An OCI layout's image (by tag, digest, or the only one), its blobs imported and verified. */
  private async layoutImage(
    named: Extract<NamedContext, { kind: "oci-layout" }>,
    platform: Platform,
  ): Promise<Loaded> {
    const root = path.resolve(named.path);
    const what = `--build-context ${named.name}=oci-layout://${named.path}`;
    const fail = (why: string): never => {
      throw new BuildError("BUILD_CONTEXT", `${what}: ${why}`);
    };
    const readJson = async (file: string): Promise<unknown> => {
      try {
        const parsed: unknown = JSON.parse(await fsp.readFile(file, "utf8"));
        return parsed;
      } catch (err) {
        return fail(`read ${path.relative(root, file) || file}: ${errorMessage(err)}`);
      }
    };
    const blobFile = (digest: string): string => {
      const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
      if (m === null) return fail(`unsupported digest ${JSON.stringify(digest)}`);
      return path.join(root, "blobs", "sha256", m[1] ?? "");
    };
    const importBlob = async (d: Descriptor): Promise<void> => {
      if (await this.settings.store.blobs.has(d.digest)) return;
      const file = blobFile(d.digest);
      if (!fs.existsSync(file)) fail(`blob ${d.digest} is missing`);
      await this.settings.store.blobs.importFile(file, { digest: d.digest, size: d.size }, { copy: true });
    };
    const index = await readJson(path.join(root, "index.json"));
    if (!isRecord(index) || !Array.isArray(index.manifests)) return fail("index.json has no manifests");
    // Checked above as far as this reads it (an object with a manifests array).
    const manifests = (index as unknown as OciIndex).manifests;
    const chosen = manifests.filter((m) => {
      if (named.digest !== undefined) return m.digest === named.digest;
      if (named.tag !== undefined) {
        const refName = m.annotations?.[AnnotationRefName];
        const fullName = m.annotations?.["io.containerd.image.name"];
        return refName === named.tag || fullName === named.tag || (fullName ?? "").endsWith(`:${named.tag}`);
      }
      return true;
    });
    let desc = chosen[0];
    if (desc === undefined) return fail(`no image ${named.digest ?? named.tag ?? ""} in index.json`);
    if (chosen.length > 1 && named.digest === undefined)
      fail(`index.json holds ${chosen.length} images; name one with :TAG or @sha256:DIGEST`);
    await importBlob(desc);
    let doc = await readJson(blobFile(desc.digest));
    // A multi-platform index inside the layout: the image of the build's platform.
    if (isRecord(doc) && Array.isArray(doc.manifests)) {
      const want = formatPlatform(platform);
      // Checked above: an object with a manifests array.
      const inner = (doc as unknown as OciIndex).manifests.find(
        (m) => m.platform !== undefined && formatPlatform(m.platform) === want,
      );
      if (inner === undefined) return fail(`its index has no image for ${want}`);
      desc = inner;
      await importBlob(desc);
      doc = await readJson(blobFile(desc.digest));
    }
    if (!isRecord(doc) || !isRecord(doc.config) || !Array.isArray(doc.layers))
      return fail(`${desc.digest} is not an image manifest`);
    // Checked above: an object with a config object and a layers array.
    const manifest = doc as unknown as OciManifest;
    await importBlob(manifest.config);
    for (const layer of manifest.layers) await importBlob(layer);
    // Checked on the next line (an object with rootfs); its digest was verified on import.
    const config = (await readJson(blobFile(manifest.config.digest))) as ImageConfig;
    if (!isRecord(config) || !isRecord(config.rootfs)) return fail("its config is not an image config");
    const store = this.settings.store;
    const layers = manifest.layers.map(
      (d, i) =>
        new BlobLayer({
          path: store.blobs.path(d.digest),
          digest: d.digest,
          diffId: config.rootfs.diff_ids[i],
          size: d.size,
          mediaType: d.mediaType,
        }),
    );
    return { ref: named.name, digest: desc.digest, config, layers: async () => layers };
  }
}
