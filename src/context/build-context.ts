import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { ContentHasher } from "./content-hasher";
import type { ContextFile, ContextSource, ContextStats } from "./context-file";
import { ContextFileRecord } from "./context-file-record";
import { ContextFilter } from "./context-filter";
import { ContextTree } from "./context-tree";
import { ContextError } from "./errors";
import { chunkBounds, fingerprintFiles } from "./fingerprint";
import { loadIgnoreRules } from "./ignore-file";
import { resolveSources, type ResolveOptions } from "./resolve-source";
import { SelectionMemo } from "./selection-memo";
import { contextStatFile, settledSignature, StatCache } from "./stat-cache";
import { walkSources } from "./walk-sources";
import { errorMessage } from "../errors";

export interface OpenContextOptions {
  /**
   * The Dockerfile, absolute or relative to the context dir. A `<name>.dockerignore` beside it
   * replaces the context's `.dockerignore`.
   */
  dockerfilePath?: string | undefined;
  /** Where the persistent stat cache lives; without it hashes are remembered for this build only. */
  cacheDir?: string | undefined;
  /** Large files hashed at once (default 4). */
  concurrency?: number;
}

/**
 * A build context directory as the planner sees it: only what the ignore rules let through,
 * never anything outside the directory. Create with openContext().
 */
export class BuildContext {
  private readonly tree: ContextTree;
  private readonly hasher: ContentHasher;
  private readonly walked = new Map<string, ContextFileRecord[]>();

  constructor(
    /** Real path of the context directory. */
    readonly root: string,
    /** The ignore file in force (absolute path), if any. */
    readonly ignoreFile: string | undefined,
    /** Its patterns as Docker reads them. */
    readonly ignorePatterns: readonly string[],
    tree: ContextTree,
    private readonly statCache: StatCache,
    private readonly selections: SelectionMemo,
    concurrency: number,
  ) {
    this.tree = tree;
    this.hasher = new ContentHasher(statCache, concurrency);
  }

  /**
   * Expands COPY/ADD sources (wildcards, directories, ".", leading "/" = the root). Throws
   * ContextError (`pattern` set) for a missing source, with close matches in the message, or for
   * one that leads outside the context.
   */
  resolveSources(patterns: readonly string[], options: ResolveOptions = {}): ContextSource[] {
    return resolveSources(this.tree, patterns, options, this.ignoreFile);
  }

  /** Whether the ignore rules hide `path` (relative to the root). */
  isIgnored(path: string): boolean {
    const st = this.tree.lstat(path);
    const verdict = this.tree.verdict(path);
    if (st === undefined) return verdict.pruned || verdict.excluded;
    return !this.tree.isVisible(path, st, verdict);
  }

  /** The entries `sources` select, in a fixed order (see walkSources). */
  async *walk(sources: readonly ContextSource[]): AsyncGenerator<ContextFile> {
    yield* await this.files(sources);
  }

  /** All entries `sources` select, as a list. */
  async files(sources: readonly ContextSource[]): Promise<ContextFile[]> {
    const out: ContextFile[] = [];
    for (let i = 0; i < sources.length; i++)
      for (const file of await this.entriesOf(sources[i])) out.push(file.withSource(i));
    return out;
  }

  /**
   * One source's entries (as source 0), walked once per BuildContext: the planner's fingerprint
   * and then the COPY walk the same sources, and a second walk of a 20,000-file context cost
   * ~0.2 s of lstat and garbage. A build sees its context as of that first walk.
   */
  private async entriesOf(source: ContextSource): Promise<ContextFileRecord[]> {
    const key = `${source.kind}\0${source.path}\0${source.target}`;
    let list = this.walked.get(key);
    if (list === undefined) {
      list = [];
      for (const selected of walkSources(this.tree, [source])) {
        list.push(new ContextFileRecord(this.tree, selected, this.hasher));
        if (list.length % YIELD_EVERY === 0) await yieldToEventLoop();
      }
      this.walked.set(key, list);
    }
    return list;
  }

  /**
   * Cache-key fingerprint ("sha256:<hex>") of exactly what `sources` select: destination-
   * relative paths, types, modes, link targets and contents; never mtimes or host paths.
   * Persists new content hashes to the stat cache.
   */
  async fingerprint(sources: readonly ContextSource[]): Promise<string> {
    return this.fingerprintOf(await this.files(sources));
  }

  /**
   * fingerprintFiles of `files` (entries files() returned, or some of them), answered by the
   * selection memo when every file has the stat it had when that fingerprint was made. Persists
   * new content hashes and the selection.
   */
  async fingerprintOf(files: readonly ContextFile[]): Promise<string> {
    const keys = selectionKeys(files);
    const known = keys === undefined ? undefined : this.selections.get(keys.selection);
    if (known !== undefined) {
      this.countCacheHits(files, 0, files.length);
      return known;
    }
    await this.hasher.ready();
    let digest: string;
    if (keys === undefined) digest = await fingerprintFiles(files);
    else {
      // A remembered chunk's files were settled when it was remembered, so they still are: the
      // selection is settled when every chunk derived now is.
      let settled = true;
      const memo = this.selections;
      const { bounds } = keys;
      digest = await fingerprintFiles(files, {
        bounds,
        known: (chunk) => {
          const found = memo.chunk(keys.chunks[chunk]);
          if (found !== undefined) this.countCacheHits(files, bounds[chunk], bounds[chunk + 1]);
          return found;
        },
        computed: (chunk, chunkDigest) => {
          if (allSettled(files, bounds[chunk], bounds[chunk + 1]))
            memo.rememberChunk(keys.chunks[chunk], chunkDigest);
          else settled = false;
        },
      });
      if (settled) memo.remember(keys.selection, digest);
    }
    await this.statCache.save();
    await this.selections.save();
    return digest;
  }

  /** The regular files of files[start..end) were answered without their content: cache hits. */
  private countCacheHits(files: readonly ContextFile[], start: number, end: number): void {
    for (let i = start; i < end; i++) if (files[i].type === "file") this.hasher.stats.cacheHits++;
  }

  /** Content reading so far (a snapshot). */
  stats(): ContextStats {
    return { ...this.hasher.stats };
  }

  /** Writes new content hashes to the stat cache (fingerprint() does this itself). */
  saveStatCache(): Promise<void> {
    return this.statCache.save();
  }
}

/**
 * The selection memo's keys of `files`: one per fingerprint chunk (sha256 of its files'
 * selection lines) and the selection's, over those; undefined unless all are entries of a walk
 * here (only a walk's records carry the stat signatures the keys stand on).
 */
function selectionKeys(
  files: readonly ContextFile[],
): { selection: string; chunks: string[]; bounds: number[] } | undefined {
  if (!files.every((f) => f instanceof ContextFileRecord)) return undefined;
  const bounds = chunkBounds(files);
  const chunks: string[] = [];
  for (let c = 0; c + 1 < bounds.length; c++) {
    const lines: string[] = ["tsbuild-context-selection-v2"];
    for (let i = bounds[c]; i < bounds[c + 1]; i++) {
      lines.push(files[i].selectionLine());
    }
    chunks.push(createHash("sha256").update(lines.join("\n")).digest("hex"));
  }
  const selection = "sha256:" + createHash("sha256").update(chunks.join("\n")).digest("hex");
  return { selection, chunks, bounds };
}

/** Whether every entry of files[start..end) has a stat older than the racy window (see StatCache.record). */
function allSettled(files: readonly ContextFile[], start: number, end: number): boolean {
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let i = start; i < end; i++) {
    const f = files[i];
    if (!(f instanceof ContextFileRecord && settledSignature(f.statSignature(), now))) return false;
  }
  return true;
}

/** The walk is synchronous (see ContextTree); let other work run every so many entries. */
const YIELD_EVERY = 4096;
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Opens context directory `dir`, reading its ignore rules and its stat cache. */
export async function openContext(dir: string, options: OpenContextOptions = {}): Promise<BuildContext> {
  let root: string;
  let rootStat: fs.BigIntStats;
  try {
    root = await fs.promises.realpath(dir);
    rootStat = await fs.promises.stat(root, { bigint: true });
  } catch (err) {
    throw new ContextError("CONTEXT_NOT_A_DIRECTORY", `open build context ${dir}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (!rootStat.isDirectory()) {
    throw new ContextError("CONTEXT_NOT_A_DIRECTORY", `open build context ${dir}: not a directory`);
  }
  const rules = loadIgnoreRules(root, options.dockerfilePath);
  const tree = new ContextTree(root, new ContextFilter(rules.matcher));
  const cacheDir = options.cacheDir;
  const statCache = cacheDir === undefined ? StatCache.memory() : StatCache.open(cacheDir, rootStat);
  const selections =
    cacheDir === undefined
      ? SelectionMemo.memory()
      : SelectionMemo.load(contextStatFile(cacheDir, rootStat, "selections.json"));
  return new BuildContext(
    root,
    rules.file,
    rules.patterns,
    tree,
    statCache,
    selections,
    options.concurrency ?? 4,
  );
}
