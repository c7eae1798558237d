/**
 * copyLayerEntries: the change set of one COPY or ADD step, built directly (no container).
 *
 * Layout rules (BuildKit's copy):
 * - a directory source copies its contents into the destination; the source directory's own
 *   metadata is not copied: an existing destination keeps its own, a missing one is created
 *   0755 owned by the --chown user, else root (fsutil's MkdirAll before the copy);
 * - any other source lands at `dest/<name>` when the destination ends in "/" or already is a
 *   directory in the destination stage (symlinks followed inside its root), else at `dest`;
 * - `--parents` keeps each source's path below the pivot (see parents-path.ts) under `dest/`;
 * - ADD extracts local tar archives (any compression, detected by content) into `dest/`, and
 *   URLs only with an explicit `--unpack=true`; `--unpack=false` never extracts;
 * - missing parents are created 0755 (with --chmod, its mode, as upstream BuildKit does) owned
 *   by the --chown user (root by default); existing ones keep their metadata; later sources
 *   overwrite earlier ones;
 * - owner: `--chown` when given; else root for context, heredoc and URL sources, and the
 *   source's own ids for `--from` stages/images and archive contents (as BuildKit keeps them);
 * - `--chmod` applies to every copied entry except archive contents; `--exclude` patterns match
 *   paths as laid out under the destination.
 */
import * as fs from "node:fs";
import { Readable } from "node:stream";
import { ContextFilter, PatternMatcher, type BuildContext } from "../context";
import {
  deviceEntry,
  directoryEntry,
  fileEntry,
  openContentPath,
  symlinkEntry,
  type LayerEntry,
  type LayerEntryBase,
} from "../image/layer-entry";
import type { CopySpec } from "./copy-spec";
import { archiveGroup, looksLikeArchive } from "./archive-source";
import { applyChmod } from "./chmod";
import { contextGroups, singleFile } from "./context-sources";
import type { CopyGroup, CopyItem } from "./copy-item";
import type { DownloadLimits } from "../net/limits";
import { downloadUrl } from "./download";
import { CopyError } from "./errors";
import { LayerLayout } from "./layout";
import { ROOT_OWNER, resolveChown, type Ownership } from "../rootfs/users";
import { ancestorsOf } from "./parents-path";
import type { LayerView } from "../rootfs/layer-view";
import { viewGroups } from "./view-sources";

export interface CopyInputs {
  /** The build context; needed when `spec.source.kind === "context"`. */
  context?: BuildContext;
  /** The `--from` stage or image rootfs; needed when `spec.source.kind` is "stage" or "image". */
  sourceView?: LayerView;
  /** The stage the layer goes on (destination resolution, existing parents, /etc/passwd). */
  destView: LayerView;
  /**
   * A private scratch directory for downloads and extracted archives. The returned entries read
   * from it when the layer is written: remove it only after that.
   */
  tmpDir: string;
  signal?: AbortSignal;
  /** SOURCE_DATE_EPOCH in seconds: mtime of created directories and heredoc files (else now). */
  sourceDateEpoch?: number;
  /** Timeouts and the size limit of `ADD <url>` downloads (defaults: DEFAULT_NETWORK_LIMITS). */
  network?: Partial<DownloadLimits>;
}

/** The entries of the step's layer, in layer tar order (see sortEntries). */
export async function* copyLayerEntries(spec: CopySpec, inputs: CopyInputs): AsyncGenerator<LayerEntry> {
  const createdMtimeMs = inputs.sourceDateEpoch !== undefined ? inputs.sourceDateEpoch * 1000 : Date.now();
  const chown =
    spec.chown !== undefined && spec.chown !== "" ? resolveChown(spec.chown, inputs.destView) : undefined;
  const layout = new LayerLayout({
    destView: inputs.destView,
    owner: chown ?? ROOT_OWNER,
    createdMtimeMs,
    ...(spec.chmod !== undefined ? { createdMode: applyChmod(0o755, spec.chmod, true) } : {}),
  });
  const dest = layout.resolveDest(spec.dest);
  // --exclude: the context's matcher, as fsutil's copier applies it (a `!` line re-includes a
  // path below an excluded directory, which is then created with its own metadata).
  const exclude = new ContextFilter(new PatternMatcher(spec.exclude), { walk: false });
  /** This group's excluded directories, by path, until something below them is included. */
  const excludedDirs = new Map<string, () => void>();
  const destIsDir = spec.dest.endsWith("/") || dest.isDirectory || spec.parents;
  for (const group of await sourceGroups(spec, inputs, createdMtimeMs)) {
    if (group.extracted) layout.ensureDirectory(dest.path);
    excludedDirs.clear();
    for await (const item of group.items) {
      inputs.signal?.throwIfAborted();
      let rel: string;
      let matchPath: string;
      if (group.parentsPath !== undefined) {
        rel =
          group.kind === "directory"
            ? join(group.parentsPath, item.path === "." ? "" : item.path)
            : group.parentsPath;
        matchPath = rel === "" ? "." : rel;
      } else {
        rel = group.kind === "directory" ? (item.path === "." ? "" : item.path) : destIsDir ? item.path : "";
        matchPath = item.path;
      }
      const target = join(dest.path, rel);
      if (exclude.excludes(matchPath)) {
        if (item.type === "directory" && target !== "")
          excludedDirs.set(matchPath, () =>
            layout.putIfAbsent(directoryEntry(base(item, target, group, chown, spec.chmod))),
          );
        continue;
      }
      if (target === "") continue;
      if (group.kind === "directory" && item.path === "." && group.parentsPath === undefined) {
        layout.ensureDirectory(target, 0o755);
        continue;
      }
      for (const dir of excludedDirs.size > 0 ? ancestorsOf(matchPath) : []) {
        excludedDirs.get(dir)?.();
        excludedDirs.delete(dir);
      }
      if (group.parentsPath !== undefined) {
        for (const dir of ancestorsOf(rel)) {
          const known = group.parentDirs?.get(dir);
          if (known !== undefined)
            layout.putIfAbsent(directoryEntry(base(known, join(dest.path, dir), group, chown, spec.chmod)));
        }
      }
      layout.put(toEntry(item, target, group, chown, spec.chmod));
    }
  }
  yield* await layout.sorted();
}

/** A group and whether it is archive contents (which land under the destination directory). */
type PlannedGroup = CopyGroup & { extracted?: boolean };

async function sourceGroups(
  spec: CopySpec,
  inputs: CopyInputs,
  createdMtimeMs: number,
): Promise<PlannedGroup[]> {
  const source = spec.source;
  switch (source.kind) {
    case "context": {
      if (inputs.context === undefined)
        throw new CopyError("COPY_BAD_STEP", `${spec.display}: no build context given`);
      const groups: PlannedGroup[] = [];
      for (const { source: src, group } of contextGroups(inputs.context, spec.sources, spec.parents)) {
        if (spec.instruction === "ADD" && spec.unpack !== false && src.kind === "entry") {
          const file = await singleFile(inputs.context, src);
          if (file?.type === "file" && (await looksLikeArchive(() => file.open()))) {
            groups.push({
              ...(await archiveGroup(() => file.open(), inputs.tmpDir, inputs.network?.maxLayerSize)),
              extracted: true,
            });
            continue;
          }
          groups.push({ ...group, items: file === undefined ? [] : [file] });
          continue;
        }
        groups.push(group);
      }
      return groups;
    }
    case "stage":
    case "image": {
      if (inputs.sourceView === undefined)
        throw new CopyError("COPY_BAD_STEP", `${spec.display}: no source rootfs given for --from`);
      const label = source.kind === "stage" ? `stage ${source.stage}` : source.ref;
      return viewGroups(inputs.sourceView, spec.sources, spec.parents, label);
    }
    case "heredoc":
      return source.files.map((f) => {
        const content = Buffer.from(f.content);
        const item: CopyItem = {
          path: f.name,
          type: "file",
          mode: 0o644,
          uid: 0,
          gid: 0,
          mtimeMs: createdMtimeMs,
          size: content.length,
          open: () => Readable.from([content]),
        };
        return { kind: "entry", keepOwner: false, chmod: true, items: [item] };
      });
    case "url":
      return urlGroups(spec, inputs, createdMtimeMs);
  }
}

const GIT_URL = /^(git@|git:\/\/|[a-z+]+:\/\/.*\.git(#.*)?$)/i;

async function urlGroups(
  spec: CopySpec,
  inputs: CopyInputs,
  createdMtimeMs: number,
): Promise<PlannedGroup[]> {
  const groups: PlannedGroup[] = [];
  for (const url of spec.sources) {
    if (GIT_URL.test(url))
      throw new CopyError(
        "COPY_GIT_UNSUPPORTED",
        `ADD ${url}: adding from a Git repository is not supported yet`,
      );
    const file = await downloadUrl(url, inputs.tmpDir, {
      ...(spec.checksum !== undefined ? { checksum: spec.checksum } : {}),
      ...(inputs.signal !== undefined ? { signal: inputs.signal } : {}),
      ...(inputs.network !== undefined ? { limits: inputs.network } : {}),
    });
    const open = (): Readable => fs.createReadStream(file.hostPath, { highWaterMark: 256 * 1024 });
    // BuildKit extracts a URL only when asked explicitly (`ADD --unpack=true <url>`).
    if (spec.unpack === true && (await looksLikeArchive(open))) {
      groups.push({
        ...(await archiveGroup(open, inputs.tmpDir, inputs.network?.maxLayerSize)),
        extracted: true,
      });
      continue;
    }
    const item: CopyItem = {
      path: file.name,
      type: "file",
      mode: 0o600,
      uid: 0,
      gid: 0,
      mtimeMs: file.mtimeMs ?? createdMtimeMs,
      size: file.size,
      open,
    };
    groups.push({ kind: "entry", keepOwner: false, chmod: true, items: [item] });
  }
  return groups;
}

function base(
  item: CopyItem,
  target: string,
  group: CopyGroup,
  chown: Ownership | undefined,
  chmod: string | undefined,
): LayerEntryBase {
  const owner = chown ?? (group.keepOwner ? { uid: item.uid, gid: item.gid } : ROOT_OWNER);
  const applies = chmod !== undefined && group.chmod && item.type !== "symlink";
  const out: LayerEntryBase = {
    path: target,
    mode: applies ? applyChmod(item.mode, chmod, item.type === "directory") : item.mode,
    uid: owner.uid,
    gid: owner.gid,
    mtimeMs: item.mtimeMs,
  };
  const xattrs = item.xattrs?.();
  if (xattrs !== undefined) out.xattrs = xattrs;
  return out;
}

function toEntry(
  item: CopyItem,
  target: string,
  group: CopyGroup,
  chown: Ownership | undefined,
  chmod: string | undefined,
): LayerEntry {
  const b = base(item, target, group, chown, chmod);
  switch (item.type) {
    case "file":
      return fileEntry(
        b,
        item.size,
        item.contentPath !== undefined ? openContentPath : () => item.open(),
        item.contentPath,
      );
    case "directory":
      return directoryEntry(b);
    case "symlink":
      return symlinkEntry(b, item.linkTarget ?? "");
    case "fifo":
    case "char-device":
    case "block-device":
      return deviceEntry(b, item.type, item.devmajor ?? 0, item.devminor ?? 0);
  }
}

function join(a: string, b: string): string {
  if (a === "") return b;
  if (b === "") return a;
  return `${a}/${b}`;
}
