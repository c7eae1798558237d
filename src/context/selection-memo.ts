import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../cache/atomic-file";
import { isRecord } from "../guards";

/**
 * The fingerprints of the last few selections of a context, each under a digest of its files'
 * paths, types, modes and stat signatures (see selectionKeys in build-context), and the digests
 * of their chunks (see fingerprintFiles) under the same kind of digest of the chunk's files. A
 * rebuild whose walk finds every file with the stat it had then gets the fingerprint without
 * looking up a single content hash: on a 20,000-file context that skips reading the 2 MB stat
 * cache and building 20,000 fingerprint records (~70 ms of a 0.35 s no-change build). When a few
 * files changed (a touch, an edit), only their chunks are derived again.
 *
 * Sound for the same reason as the stat cache: a file's content, mode, xattrs or link target
 * cannot change without its ctime changing, and a selection or chunk is only remembered when
 * every signature in it is settled (older than the racy window). The file has a checksum; a bad
 * one is ignored and replaced.
 */
export class SelectionMemo {
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Array<[string, string]>,
    private readonly chunks: Map<string, string>,
  ) {}

  static memory(): SelectionMemo {
    return new SelectionMemo(undefined, [], new Map());
  }

  static load(file: string): SelectionMemo {
    let doc: Decoded = { entries: [], chunks: [] };
    try {
      doc = decode(fs.readFileSync(file, "utf8"));
    } catch {
      // Missing or unusable: start empty.
    }
    return new SelectionMemo(file, doc.entries, new Map(doc.chunks));
  }

  get(key: string): string | undefined {
    return this.entries.find((e) => e[0] === key)?.[1];
  }

  remember(key: string, fingerprint: string): void {
    const at = this.entries.findIndex((e) => e[0] === key);
    if (at >= 0) {
      if (this.entries[at]?.[1] === fingerprint) return;
      this.entries.splice(at, 1);
    }
    this.entries.push([key, fingerprint]);
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
    this.dirty = true;
  }

  chunk(key: string): string | undefined {
    return this.chunks.get(key);
  }

  rememberChunk(key: string, digest: string): void {
    if (this.chunks.get(key) === digest) return;
    this.chunks.delete(key);
    this.chunks.set(key, digest);
    // Oldest first out (a Map iterates in insertion order).
    for (const old of this.chunks.keys()) {
      if (this.chunks.size <= KEEP_CHUNKS) break;
      this.chunks.delete(old);
    }
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty || this.file === undefined) return;
    this.dirty = false;
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    try {
      await writeFileAtomic(this.file, encode({ entries: this.entries, chunks: [...this.chunks] }), {
        durable: false,
      });
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }
}

/** Selections remembered per context (a Dockerfile's COPY sources, a few Dockerfiles). */
const KEEP = 32;
/** Chunks remembered per context: ~80 for a 20,000-file selection, ~150 bytes each on disk. */
const KEEP_CHUNKS = 8192;
const VERSION = 2;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]{64}$/;

interface Decoded {
  entries: Array<[string, string]>;
  chunks: Array<[string, string]>;
}

function encode(doc: Decoded): string {
  const body = JSON.stringify([doc.entries, doc.chunks]);
  return JSON.stringify({ version: VERSION, checksum: checksum(body), ...doc }) + "\n";
}

function checksum(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

function decode(text: string): Decoded {
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc) || doc.version !== VERSION) throw new Error("bad file");
  const entries = pairs(doc.entries, DIGEST, DIGEST);
  const chunks = pairs(doc.chunks, HEX, HEX);
  if (doc.checksum !== checksum(JSON.stringify([entries, chunks]))) throw new Error("bad checksum");
  return { entries, chunks };
}

function pairs(list: unknown, keyForm: RegExp, valueForm: RegExp): Array<[string, string]> {
  if (!Array.isArray(list)) throw new Error("bad file");
  const out: Array<[string, string]> = [];
  for (const e of list as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2) throw new Error("bad entry");
    const [key, value]: unknown[] = e;
    if (typeof key !== "string" || !keyForm.test(key) || typeof value !== "string" || !valueForm.test(value))
      throw new Error("bad entry");
    out.push([key, value]);
  }
  return out;
}
