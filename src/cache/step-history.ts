import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomicSync } from "./atomic-file";
import { sha256Digest } from "./digest";
import { isErrno } from "./errors";
import { isRecord } from "../guards";

/**
 * Where a step sits in a Dockerfile, independent of its cache key: what `explain` compares a
 * miss against ("the last build of the same step").
 */
export interface StepPosition {
  /** Absolute Dockerfile path (or the context dir and "-" for a Dockerfile read from stdin). */
  dockerfile: string;
  /** Stage name, or its index when it has none. */
  stage: string;
  /** Position of the instruction within the stage (config instructions count). */
  step: number;
  /** os/arch[/variant]. */
  platform: string;
}

/** The last key recorded at a position. */
export interface StepHistoryEntry {
  position: StepPosition;
  /** The step record key (StepRecords) of the last build of this position. */
  key: string;
  /** ISO 8601. */
  at: string;
}

/**
 * `<cache>/history/<sha256 hex of the position>.json`: the position → last record key index.
 *
 * One small file per position, replaced atomically, not fsync'd: a lost or torn entry only makes
 * the next explanation say "first build". Entries outlive the records they name (a pruned record
 * is then explained as such); `prune --all` removes them.
 */
export class StepHistory {
  constructor(
    /** `<cache>/history` (CacheStore.paths.history). */
    readonly dir: string,
  ) {}

  pathFor(position: StepPosition): string {
    const id = JSON.stringify([position.dockerfile, position.stage, position.step, position.platform]);
    return path.join(this.dir, `${sha256Digest(id).slice("sha256:".length)}.json`);
  }

  /** The last entry for `position`, or undefined (never built, or the file is unreadable). */
  async last(position: StepPosition): Promise<StepHistoryEntry | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(this.pathFor(position), "utf8");
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
    return parseEntry(text, position);
  }

  /** Records `key` as the last build of `position` (a read, and no write, when it already is). */
  async set(position: StepPosition, key: string): Promise<void> {
    if ((await this.last(position))?.key === key) return;
    const entry: StepHistoryEntry = { position, key, at: new Date().toISOString() };
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomicSync(this.pathFor(position), JSON.stringify(entry));
  }
}

function parseEntry(text: string, position: StepPosition): StepHistoryEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.key !== "string" || typeof value.at !== "string") return undefined;
  return { position, key: value.key, at: value.at };
}
