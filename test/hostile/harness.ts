import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { BuildOptions, BuildResult } from "../../src/engine/build-options";
import { TsbuildError } from "../../src/errors";
import type { ImageConfig } from "../../src/image/config";
import type { Image } from "../../src/image/image";
import { pushImage } from "../../src/registry/push";
import type { Fault, FaultProxy } from "../registry/fault-proxy";
import { fileLayer, imageOf, type FileLayer, type LayerSpec } from "./layers";

/**
 * The hostile-input harness. Each case states its safe outcome:
 *   E   a clear, typed error (a TsbuildError whose message matches `error`, no stack trace), and
 *       nothing outside the target changed;
 *   C   contained: the build succeeds and whatever pointed outside stays inside the image;
 *   OK  must simply work.
 * After every case the sentinel directory — outside the target, holding what a hostile
 * Dockerfile or context would like to read or overwrite — is compared byte for byte with its
 * snapshot, and `findmnt` must show no mount under the target or the sentinel.
 */
export type Outcome = "E" | "C" | "OK";

export interface HostileCase {
  /** Stable id, listed in docs/security.md. */
  id: string;
  outcome: Outcome;
  /** What the case does, in a few words. */
  title: string;
  /** The bug (CVE or class) the case guards against. */
  anchor: string;
  /** Files of the build context (`{ link }` for a symlink, Buffer for raw bytes). */
  context?: (env: CaseEnv) => Record<string, string | Buffer | { link: string } | { fifo: true }>;
  /** A context file whose name is given as raw bytes (not valid UTF-8), relative to the context. */
  rawNames?: Buffer[];
  /** Build options beyond context and cache. */
  options?: (env: CaseEnv) => Partial<BuildOptions>;
  /** E: what the message must say. */
  error?: RegExp;
  /** C/OK: checks on the result and the local output. */
  check?: (result: BuildResult, out: string, env: CaseEnv) => void | Promise<void>;
  /** Wall-clock bound for the case (default 60 s). */
  timeoutMs?: number;
  /** An image pushed to the suite's registry as `env.image` before the build. */
  image?: (env: CaseEnv) => CaseImage | Promise<CaseImage>;
  /** Faults the registry proxy applies while the case runs. */
  faults?: (env: CaseEnv) => Fault[];
  /** Runs before the build (a loop-mounted cache dir, a first build); `teardown` after, always. */
  setup?: (env: CaseEnv) => void | Promise<void>;
  teardown?: (env: CaseEnv) => void | Promise<void>;
  /** What the case does instead of one build with `options` (concurrent builds, a push). */
  action?: (env: CaseEnv, options: BuildOptions) => Promise<BuildResult>;
  /** Any outcome: checks after the build (for E, what must not have changed). */
  verify?: (env: CaseEnv) => void | Promise<void>;
  /** C/OK: skip the rebuild that must give the same digest (a case whose inputs change). */
  noRebuild?: boolean;
}

/** The case's base image: hand-made layers, on the suite's busybox when `busybox`. */
export interface CaseImage {
  layers: Array<LayerSpec | FileLayer>;
  busybox?: boolean;
  config?: (c: ImageConfig) => void;
}

export interface CaseEnv {
  /** Everything the case may write: context, cache, outputs. */
  target: string;
  context: string;
  /** The sentinel directory outside the target. */
  sentinel: string;
  /** A secret file inside the sentinel. */
  secret: string;
  /** Base URL of the hostile HTTP server, when the suite runs one. */
  http: string;
  /** "host:port" of the fault proxy in front of a real registry, when the suite runs one. */
  registry: string;
  /** "host:port" of the same registry without the proxy. */
  direct: string;
  /** The case's own image reference (through the proxy), pushed when the case has `image`. */
  image: string;
  /** The case's cache directory (a case's setup may mount something there). */
  cacheDir: string;
  /** The suite's busybox image (not pushed again per case). */
  busybox?: Image;
  proxy?: FaultProxy;
}

export const SECRET_TEXT = "root:$6$sentinel-hash:19000:0:99999:7:::\n";

/** Creates the sentinel directory: a secret, a subdirectory, a symlink; returns its path. */
export function makeSentinel(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-sentinel-"));
  fs.writeFileSync(path.join(dir, "secret"), SECRET_TEXT, { mode: 0o600 });
  fs.mkdirSync(path.join(dir, "etc"));
  fs.writeFileSync(path.join(dir, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\n");
  fs.symlinkSync("secret", path.join(dir, "link"));
  return dir;
}

/** Every entry under `dir`: type, mode, size, link target and content hash — a byte-for-byte snapshot. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs);
    let what = `${rel} ${st.mode.toString(8)} ${st.uid}:${st.gid}`;
    if (st.isSymbolicLink()) what += ` -> ${fs.readlinkSync(abs)}`;
    else if (st.isFile())
      what += ` ${crypto.createHash("sha256").update(fs.readFileSync(abs)).digest("hex")}`;
    out.push(what);
    if (st.isDirectory()) for (const name of fs.readdirSync(abs).sort()) walk(path.join(rel, name));
  };
  walk(".");
  return out;
}

/** Mount points under any of `roots` (another engineer's mounts elsewhere are not ours). */
export function mountsUnder(roots: readonly string[]): string[] {
  const targets = execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" }).split("\n");
  return targets.filter((t) => roots.some((r) => t === r || t.startsWith(r + "/")));
}

/** Writes the case's context. */
function writeContext(c: HostileCase, env: CaseEnv): void {
  fs.mkdirSync(env.context, { recursive: true });
  for (const [rel, value] of Object.entries(c.context?.(env) ?? {})) {
    const abs = path.join(env.context, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof value === "string" || Buffer.isBuffer(value)) fs.writeFileSync(abs, value);
    else if ("link" in value) fs.symlinkSync(value.link, abs);
    else execFileSync("mkfifo", [abs]);
  }
  for (const raw of c.rawNames ?? []) {
    fs.writeFileSync(Buffer.concat([Buffer.from(env.context + "/"), raw]), "raw name\n");
  }
}

/** Pushes the case's image to the registry as `env.image` (directly, not through the proxy). */
async function pushCaseImage(c: HostileCase, env: CaseEnv): Promise<void> {
  if (!c.image) return;
  const spec = await c.image(env);
  const blobs = path.join(env.target, "blobs");
  fs.mkdirSync(blobs, { recursive: true });
  const layers = spec.layers.map((l) => ("tar" in l ? fileLayer(blobs, l) : l));
  const image = await imageOf(layers, spec.busybox ? env.busybox : undefined, spec.config);
  await pushImage(image, env.image.replace(env.registry, env.direct), { credentials: async () => undefined });
}

/** Runs one case and asserts its outcome (see HostileCase). Returns the result of C/OK cases. */
export async function runCase(c: HostileCase, env: CaseEnv): Promise<BuildResult | undefined> {
  writeContext(c, env);
  await pushCaseImage(c, env);
  const out = path.join(env.target, "out");
  const options: BuildOptions = {
    context: env.context,
    cacheDir: env.cacheDir,
    sourceDateEpoch: 0,
    ...(c.outcome === "E" ? {} : { outputs: [{ type: "local", dest: out }] }),
    ...(c.options?.(env) ?? {}),
  };
  const started = Date.now();
  let result: BuildResult | undefined;
  let error: unknown;
  // Peak RSS of this process while the case runs (the bombs' memory bound).
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  try {
    result = await (c.action ? c.action(env, options) : build(options));
  } catch (err) {
    error = err;
  } finally {
    clearInterval(sampler);
  }
  if (c.id.includes("bomb"))
    console.log(
      `${c.id}: peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (${((peakRss - baseRss) / 2 ** 20).toFixed(0)} MiB over the start)`,
    );
  const elapsed = Date.now() - started;
  expect(elapsed).toBeLessThan(c.timeoutMs ?? 60_000);
  if (c.outcome === "E") {
    if (error === undefined) throw new Error(`${c.id}: expected a clear error, but the build succeeded`);
    if (!(error instanceof TsbuildError)) throw error; // an untyped crash: the case fails with it
    expect(error.message).toMatch(c.error ?? /./);
    expect(error.message).not.toMatch(/\n\s+at .*:\d+:\d+\)?$/m); // no stack trace in the message
    expect(error.message).not.toContain(SECRET_TEXT.trim());
    await c.verify?.(env);
  } else {
    if (error !== undefined) throw error;
    await c.check?.(result as BuildResult, out, env);
    if (!c.noRebuild && result !== undefined) {
      // The cache must give the same image again.
      fs.rmSync(out, { recursive: true, force: true });
      const again = await build(options);
      expect(again.digest).toBe(result.digest);
    }
    await c.verify?.(env);
  }
  return result;
}

/** Processes whose command line names one of `paths` (a step or helper left running). */
export function processesUnder(paths: readonly string[]): string[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((l) => paths.some((p) => l.includes(p)) && !/\bps -eo\b/.test(l));
}
