import * as os from "node:os";
import { Transform, type TransformCallback } from "node:stream";
import type { Worker } from "node:worker_threads";
import { crc32 } from "./crc32";

/**
 * pigz-style block-parallel gzip. The input is cut into fixed blocks; each block is raw-deflated
 * in a worker thread with the previous block's last 32 KiB as its dictionary and ends with a sync
 * flush (the last one with Z_FINISH), so the concatenated outputs form one deflate stream. One
 * gzip header and a trailer with the CRC-32 (computed here, on the main thread) and length wrap
 * it. The output depends only on the input, the level and the block size — not on scheduling or
 * the number of workers — so layer digests stay reproducible.
 */

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
parentPort.on("message", (task) => {
  try {
    const opts = { level: task.level, finishFlush: task.last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH };
    if (task.dict) opts.dictionary = task.dict;
    const out = zlib.deflateRawSync(task.data, opts);
    const copy = new Uint8Array(out.length);
    copy.set(out);
    parentPort.postMessage({ id: task.id, out: copy }, [copy.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: task.id, error: String(err && err.message || err) });
  }
});
`;

interface Task {
  id: number;
  data: Uint8Array;
  dict: Uint8Array | undefined;
  level: number;
  last: boolean;
}
interface TaskResult {
  id: number;
  out?: Uint8Array;
  error?: string;
}

/**
 * How long an idle pool keeps its workers. Each worker is a whole V8 isolate: left alive, they add
 * up where many pools are made in one process (jest gives every test file its own module registry,
 * hence its own pool) and make process exit slow enough for jest to force-kill its workers.
 */
export const DEFLATE_IDLE_MS = 2000;

/** A small pool of deflate workers shared by every ParallelGzip stream of the process. */
class DeflatePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  /** Workers terminated on purpose: their exit is not a failure of the tasks still running. */
  private readonly retiring = new Set<Worker>();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly waiting: { task: Task; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private readonly running = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  run(data: Uint8Array, dict: Uint8Array | undefined, level: number, last: boolean): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ task: { id: this.nextId++, data, dict, level, last }, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Worker {
    // Loaded on the first compressed block, not at start-up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker: WorkerClass } = require("node:worker_threads") as typeof import("node:worker_threads");
    const worker = new WorkerClass(WORKER_SOURCE, { eval: true });
    worker.on("message", (msg: TaskResult) => {
      const pending = this.running.get(msg.id);
      this.running.delete(msg.id);
      if (pending) {
        if (msg.out) pending.resolve(Buffer.from(msg.out.buffer, msg.out.byteOffset, msg.out.byteLength));
        else pending.reject(new Error(`deflate block: ${msg.error ?? "unknown worker error"}`));
      }
      this.idle.push(worker);
      this.pump();
    });
    worker.on("error", (err) => this.fail(worker, err));
    worker.on("exit", (code) => {
      if (this.retiring.delete(worker)) return;
      if (code !== 0) this.fail(worker, new Error(`deflate worker exited with code ${code}`));
    });
    this.workers.push(worker);
    return worker;
  }

  private fail(worker: Worker, err: Error): void {
    const i = this.workers.indexOf(worker);
    if (i >= 0) this.workers.splice(i, 1);
    for (const [id, pending] of this.running) {
      this.running.delete(id);
      pending.reject(err);
    }
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.workers.length < this.size) worker = this.spawn();
      if (!worker) break;
      // The loop runs only while jobs are waiting.
      const job = this.waiting.shift() as (typeof this.waiting)[number];
      this.running.set(job.task.id, { resolve: job.resolve, reject: job.reject });
      worker.ref();
      worker.postMessage(job.task);
    }
    // Idle workers must not keep the process alive, and go away once the pool has been idle a while.
    for (const w of this.idle) w.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.running.size === 0 && this.waiting.length === 0 && this.idle.length > 0) {
      this.idleTimer = setTimeout(() => this.retireIdle(), DEFLATE_IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private retireIdle(): void {
    this.idleTimer = undefined;
    for (const w of this.idle.splice(0)) {
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      this.retiring.add(w);
      void w.terminate();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const all = this.workers.splice(0);
    this.idle.length = 0;
    for (const w of all) this.retiring.add(w);
    await Promise.all(all.map((w) => w.terminate()));
  }
}

let pool: DeflatePool | undefined;

function sharedPool(): DeflatePool {
  pool ??= new DeflatePool(Math.max(1, os.availableParallelism()));
  return pool;
}

/** Terminates the shared deflate workers (tests and short-lived tools; they are unref'd anyway). */
export async function closeDeflatePool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

export interface ParallelGzipOptions {
  level?: number | undefined;
  /** Bytes of input per block; part of the output's identity (keep the default for stable digests). */
  blockSize?: number;
}

const WINDOW = 32 * 1024;
export const DEFAULT_GZIP_BLOCK = 128 * 1024;
// gzip member header: magic, CM=deflate, no flags, MTIME=0, XFL=0, OS=unix (as Node's zlib writes).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);

export class ParallelGzip extends Transform {
  private readonly level: number;
  private readonly blockSize: number;
  private readonly maxInFlight: number;
  private block: Buffer;
  private blockLen = 0;
  private tail: Uint8Array | undefined;
  private readonly inFlight: Promise<Buffer>[] = [];
  private crc = 0;
  private length = 0;

  constructor(opts: ParallelGzipOptions = {}) {
    super();
    this.level = opts.level ?? 6;
    this.blockSize = opts.blockSize ?? DEFAULT_GZIP_BLOCK;
    this.maxInFlight = Math.max(2, os.availableParallelism()) * 4;
    this.block = Buffer.allocUnsafe(this.blockSize);
    this.push(GZIP_HEADER);
  }

  private dispatch(data: Uint8Array, last: boolean): void {
    const dict = this.tail;
    this.tail =
      data.length >= WINDOW
        ? data.slice(data.length - WINDOW)
        : data.length > 0
          ? concatTail(dict, data)
          : dict;
    const p = sharedPool().run(data, dict, this.level, last);
    p.catch(() => undefined); // handled when awaited in order
    this.inFlight.push(p);
  }

  private async drainTo(limit: number): Promise<void> {
    while (this.inFlight.length > limit) {
      // inFlight.length > limit >= 0: there is one to take.
      this.push(await (this.inFlight.shift() as Promise<Buffer>));
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.length += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(this.blockSize - this.blockLen, chunk.length - off);
      chunk.copy(this.block, this.blockLen, off, off + n);
      this.blockLen += n;
      off += n;
      if (this.blockLen === this.blockSize) {
        this.dispatch(this.block, false);
        this.block = Buffer.allocUnsafe(this.blockSize);
        this.blockLen = 0;
      }
    }
    this.drainTo(this.maxInFlight).then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    this.dispatch(this.block.subarray(0, this.blockLen), true);
    this.drainTo(0).then(() => {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.crc >>> 0, 0);
      trailer.writeUInt32LE(this.length % 2 ** 32, 4);
      cb(null, trailer);
    }, cb);
  }
}

/** The last 32 KiB of prev+data (for blocks shorter than the window; only the final block can be). */
function concatTail(prev: Uint8Array | undefined, data: Uint8Array): Uint8Array {
  const joined = prev ? Buffer.concat([prev, data]) : Buffer.from(data);
  return joined.length > WINDOW ? joined.subarray(joined.length - WINDOW) : joined;
}
