import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Where `npm run test:conformance` reads BuildKit's test vectors from: `$TSBUILD_CONFORMANCE_DIR`,
 * else `../shared/conformance/buildkit` beside the clone, else a copy fetched from the pinned
 * BuildKit commit (or the `$TSBUILD_CONFORMANCE_URL` mirror) into `node_modules/.cache/`. Whichever it is, every file must have the sha256
 * of test/conformance/buildkit-files.json, so the vectors are byte-exact and read in place.
 */

/** The pinned upstream files: path (relative to the BuildKit repository root) → sha256. */
export interface ConformanceManifest {
  readonly repository: string;
  readonly commit: string;
  readonly files: Readonly<Record<string, string>>;
}

/** The vectors cannot be found, fetched or verified; the message says what to do. */
export class ConformanceSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConformanceSourceError";
  }
}

export const CONFORMANCE_ENV = "TSBUILD_CONFORMANCE_DIR";
/** A mirror to fetch from instead of raw.githubusercontent.com (same layout: BASE + upstream path). */
export const CONFORMANCE_URL_ENV = "TSBUILD_CONFORMANCE_URL";

export function loadManifest(repoRoot: string): ConformanceManifest {
  const file = path.join(repoRoot, "test", "conformance", "buildkit-files.json");
  return JSON.parse(fs.readFileSync(file, "utf8")) as ConformanceManifest;
}

/** raw.githubusercontent.com serves one blob of a commit per URL. */
export function defaultBaseUrl(manifest: ConformanceManifest): string {
  const repo = manifest.repository.replace(/^https:\/\/github\.com\//, "");
  return `https://raw.githubusercontent.com/${repo}/${manifest.commit}/`;
}

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

/** The files of `dir` that are missing or differ from the manifest (empty: the copy is exact). */
export function verifyDir(dir: string, manifest: ConformanceManifest): string[] {
  const problems: string[] = [];
  for (const [rel, want] of Object.entries(manifest.files)) {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.join(dir, rel));
    } catch {
      problems.push(`${rel}: missing`);
      continue;
    }
    const got = sha256(data);
    if (got !== want) problems.push(`${rel}: sha256 ${got}, want ${want}`);
  }
  return problems;
}

export interface FetchOptions {
  /** Prefix of every file's URL (default: the pinned commit on raw.githubusercontent.com). */
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
}

/**
 * Downloads every manifest file missing from `dir` (or not byte-exact), checks its sha256 before
 * it is renamed into place, and leaves `dir` complete; throws ConformanceSourceError naming the
 * first file that could not be fetched or did not match, once no fetch is left in flight.
 */
export async function fetchInto(
  dir: string,
  manifest: ConformanceManifest,
  opts: FetchOptions = {},
): Promise<void> {
  const base = opts.baseUrl ?? defaultBaseUrl(manifest);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const todo = Object.entries(manifest.files).filter(
    ([rel]) => verifyDir(dir, only(manifest, rel)).length > 0,
  );
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < todo.length && !failed; i = next++) {
      const [rel, want] = todo[i];
      const url = base + rel;
      let data: Buffer;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        data = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        throw new ConformanceSourceError(`fetch ${url}: ${fetchFailure(err)}`);
      }
      const got = sha256(data);
      if (got !== want) throw new ConformanceSourceError(`fetch ${url}: sha256 ${got}, want ${want}`);
      const dest = path.join(dir, rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(`${dest}.part`, data);
      fs.renameSync(`${dest}.part`, dest);
    }
  };
  // Every worker has stopped before this returns or throws: none writes into `dir` afterwards.
  const results = await Promise.allSettled(
    Array.from({ length: 4 }, () =>
      worker().catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected !== undefined) throw rejected.reason;
}

/** fetch's own message ("fetch failed") hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
function fetchFailure(err: unknown): string {
  // Duck-typed: under jest, Node's fetch errors come from another realm than `Error`.
  const messageOf = (e: unknown): string | undefined =>
    typeof e === "object" && e !== null && "message" in e && typeof e.message === "string"
      ? e.message
      : undefined;
  const cause = typeof err === "object" && err !== null && "cause" in err ? err.cause : undefined;
  return messageOf(cause) ?? messageOf(err) ?? String(err);
}

function only(manifest: ConformanceManifest, rel: string): ConformanceManifest {
  return { ...manifest, files: { [rel]: manifest.files[rel] } };
}

export interface ResolveOptions extends FetchOptions {
  readonly repoRoot: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where a fetched copy goes (default `<repo>/node_modules/.cache/tsbuild-conformance/<commit>`). */
  readonly cacheDir?: string;
  readonly manifest?: ConformanceManifest;
  readonly log?: (line: string) => void;
}

/** The verified directory of vectors, by the order in the module comment. */
export async function resolveConformanceDir(opts: ResolveOptions): Promise<string> {
  const manifest = opts.manifest ?? loadManifest(opts.repoRoot);
  const log = opts.log ?? (() => undefined);
  const check = (dir: string, from: string): string => {
    const problems = verifyDir(dir, manifest);
    if (problems.length > 0) {
      throw new ConformanceSourceError(
        `${from} ${dir} is not BuildKit ${manifest.commit.slice(0, 12)}'s vectors byte for byte ` +
          `(${problems.length} of ${Object.keys(manifest.files).length} files): ${problems.slice(0, 3).join("; ")}`,
      );
    }
    return dir;
  };
  const fromEnv = opts.env[CONFORMANCE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return check(path.resolve(fromEnv), `$${CONFORMANCE_ENV}`);
  const shared = path.resolve(opts.repoRoot, "..", "shared", "conformance", "buildkit");
  if (fs.existsSync(shared)) return check(shared, "../shared/conformance/buildkit");
  const cache =
    opts.cacheDir ??
    path.join(opts.repoRoot, "node_modules", ".cache", "tsbuild-conformance", manifest.commit);
  if (verifyDir(cache, manifest).length === 0) return cache;
  const base = opts.baseUrl ?? (opts.env[CONFORMANCE_URL_ENV] || defaultBaseUrl(manifest));
  log(
    `conformance: no ${CONFORMANCE_ENV} and no ../shared/conformance/buildkit; fetching ${base} into ${cache}`,
  );
  try {
    await fetchInto(cache, manifest, { ...opts, baseUrl: base });
  } catch (err) {
    if (!(err instanceof ConformanceSourceError)) throw err;
    throw new ConformanceSourceError(
      `cannot get BuildKit's conformance vectors: ${err.message}\n` +
        `Set ${CONFORMANCE_ENV} to a copy of moby/buildkit at ${manifest.commit} (its frontend/dockerfile ` +
        `parser and shell test files), or run where ${new URL(base).host} is reachable.`,
    );
  }
  return check(cache, "fetched copy");
}

/**
 * For the vector tests themselves: the directory global-setup resolved (it sets the variable),
 * else ../shared, so a single file can be run with `npx jest -c jest.conformance.config.js FILE`.
 */
export function conformanceDir(repoRoot: string): string {
  const fromEnv = process.env[CONFORMANCE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return path.resolve(repoRoot, "..", "shared", "conformance", "buildkit");
}
