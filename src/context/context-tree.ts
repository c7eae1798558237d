import * as fs from "node:fs";
import { ContextFilter, type PathVerdict } from "./context-filter";
import { ContextError } from "./errors";
import { compareNames } from "./go-path";
import { errnoCode } from "../errors";

/** A directory entry of the context that the ignore rules let through. */
export interface VisibleEntry {
  /** Relative to the context root. */
  path: string;
  name: string;
  stat: fs.BigIntStats;
  verdict: PathVerdict;
}

/**
 * The context directory as BuildKit receives it: the files the ignore rules let through, plus
 * excluded directories that hold re-included paths. Paths are relative to `root` (a real path),
 * slash-separated and cleaned; "." is the root.
 *
 * Metadata is read with synchronous lstat/readdir on purpose: a thread-pool round trip costs
 * about ten times a cached lstat, and a warm re-plan of a 20,000-file context is nothing else.
 */
export class ContextTree {
  /**
   * `root` + "/", made once: `${root}/${rel}` copied the short root-and-slash part into a string
   * of its own per path (200,000 copies of it held by a big COPY's layer entries).
   */
  private readonly prefix: string;

  constructor(
    readonly root: string,
    readonly filter: ContextFilter,
  ) {
    this.prefix = `${root}/`;
  }

  hostPath(rel: string): string {
    return rel === "." ? this.root : this.prefix + rel;
  }

  /** lstat with nanosecond times, or undefined if the path does not exist. */
  lstat(rel: string): fs.BigIntStats | undefined {
    try {
      return fs.lstatSync(this.hostPath(rel), { bigint: true });
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw err;
    }
  }

  readlink(rel: string): string {
    return fs.readlinkSync(this.hostPath(rel));
  }

  verdict(rel: string): PathVerdict {
    return rel === "." ? ROOT_VERDICT : this.filter.verdict(rel);
  }

  /**
   * Whether `rel` (which exists, with stat `st`) is part of the context: not excluded, or an
   * excluded directory that still holds something re-included.
   */
  isVisible(rel: string, st: fs.BigIntStats, verdict = this.verdict(rel)): boolean {
    if (verdict.pruned) return false;
    if (!verdict.excluded) return true;
    if (!st.isDirectory() || !this.filter.descend(rel, verdict)) return false;
    return this.hasVisibleEntry(rel, verdict);
  }

  /** Visible entries of directory `dir` (whose verdict is `verdict`), sorted by name. */
  list(dir: string, verdict: PathVerdict = this.verdict(dir)): VisibleEntry[] {
    if (dir !== "." && !this.filter.descend(dir, verdict)) return [];
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(this.hostPath(dir), { withFileTypes: true });
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return [];
      throw err;
    }
    dirents.sort((a, b) => compareNames(a.name, b.name));
    const out: VisibleEntry[] = [];
    let undecodable: Map<string, string> | undefined;
    for (const dirent of dirents) {
      const name = dirent.name;
      const rel = dir === "." ? name : `${dir}/${name}`;
      const v = this.filter.child(rel, dir === "." ? undefined : verdict);
      if (v.pruned) continue;
      // Node decodes names as UTF-8, turning invalid bytes into U+FFFD: such a name opens nothing
      // (or another file). Ignored, it does no harm; anything else would be lost silently.
      if (name.includes("\uFFFD")) {
        undecodable ??= undecodableNames(this.hostPath(dir));
        const raw = undecodable.get(name);
        const harmless = v.excluded && (!dirent.isDirectory() || !this.filter.descend(rel, v));
        if (raw !== undefined && !harmless) {
          const shown = dir === "." ? raw : `${dir}/${raw}`;
          throw new ContextError(
            "CONTEXT_BAD_NAME",
            `read context: the name of ${shown} is not valid UTF-8, which tsbuild cannot copy faithfully (rename it, or exclude it in .dockerignore)`,
          );
        }
      }
      // An excluded non-directory is invisible: skip it without an lstat (d_type says what it
      // is, unless the file system leaves it unknown).
      if (v.excluded && !dirent.isDirectory() && typeKnown(dirent)) continue;
      const st = this.lstat(rel);
      if (st === undefined) continue; // vanished
      if (v.excluded && !(st.isDirectory() && this.filter.descend(rel, v) && this.hasVisibleEntry(rel, v)))
        continue;
      out.push({ path: rel, name, stat: st, verdict: v });
    }
    return out;
  }

  /** Memo of hasVisibleEntry: excluded directories re-checked as parents of deeper paths. */
  private readonly holdsVisible = new Map<string, boolean>();

  private hasVisibleEntry(dir: string, verdict: PathVerdict): boolean {
    let known = this.holdsVisible.get(dir);
    if (known === undefined) {
      known = this.list(dir, verdict).length > 0;
      this.holdsVisible.set(dir, known);
    }
    return known;
  }
}

const strict = new TextDecoder("utf-8", { fatal: true });

/** Names in `dir` that are not valid UTF-8: their lossy decoding → the bytes shown escaped. */
function undecodableNames(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of fs.readdirSync(dir, { encoding: "buffer" })) {
    try {
      strict.decode(raw);
    } catch {
      out.set(raw.toString("utf8"), escapeBytes(raw));
    }
  }
  return out;
}

/** Printable ASCII as is, every other byte as \xNN. */
function escapeBytes(raw: Buffer): string {
  let out = "";
  for (const b of raw)
    out +=
      b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  return out;
}

function typeKnown(d: fs.Dirent): boolean {
  return (
    d.isFile() ||
    d.isSymbolicLink() ||
    d.isFIFO() ||
    d.isSocket() ||
    d.isCharacterDevice() ||
    d.isBlockDevice()
  );
}

const ROOT_VERDICT: PathVerdict = { excluded: false, pruned: false, results: [] };
