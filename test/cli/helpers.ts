import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../src/cli/run-cli";
import { repoRoot } from "../support/paths";

export interface CliOutput {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, capturing what it writes to stdout and stderr. */
export async function cli(...argv: string[]): Promise<CliOutput> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  try {
    const status = await runCli(argv);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `build --progress plain --cache-dir CACHE ...args`, in-process. */
export function buildPlain(cache: string, ...args: string[]): Promise<CliOutput> {
  return cli("build", "--progress", "plain", "--cache-dir", cache, ...args);
}

/** Fails with the build's stderr (not just its status) unless it exited 0. */
export function expectOk(r: CliOutput): void {
  if (r.status !== 0) throw new Error(`build failed (${r.status}):\n${r.stderr}`);
}

/** The fields of an OCI layout's index.json the tests read. */
export interface LayoutIndex {
  annotations?: Record<string, string>;
  manifests: { digest: string; annotations?: Record<string, string> }[];
}

/** An OCI layout's index.json, parsed. */
export function readLayoutIndex(layout: string): LayoutIndex {
  return JSON.parse(fs.readFileSync(path.join(layout, "index.json"), "utf8")) as LayoutIndex;
}

/** The manifest blob of digest in an OCI layout, parsed (only the annotations are typed). */
export function readLayoutManifest(layout: string, digest: string): { annotations?: Record<string, string> } {
  const file = path.join(layout, "blobs", "sha256", digest.slice("sha256:".length));
  return JSON.parse(fs.readFileSync(file, "utf8")) as { annotations?: Record<string, string> };
}

export const mainJs = path.join(repoRoot, "dist", "cli", "main.js");

/**
 * Compiles src into dist once per test run (tests of the binary must not run a stale build).
 * Serialized with a lock: other suites may compile at the same time. Type errors elsewhere in
 * the tree (work in progress) do not stop tsc from emitting, so only a missing output fails.
 */
export function ensureDist(): void {
  const started = Date.now();
  // tsc writes the library; scripts/bundle-cli.js writes the bin (dist/cli/main.js) the tests run.
  const script = "npx tsc -p tsconfig.build.json; node scripts/bundle-cli.js";
  const result = spawnSync("flock", ["/tmp/tsbuild-dist.lock", "sh", "-c", script], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const stat = fs.statSync(mainJs, { throwIfNoEntry: false });
  if (!stat || stat.mtimeMs < started - 1000) {
    throw new Error(`compile dist failed:\n${result.stdout}${result.stderr}`);
  }
}

/** Runs `node dist/cli/main.js ...args`, optionally feeding stdin. */
export function bin(
  args: string[],
  opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliOutput {
  const r = spawnSync(process.execPath, [mainJs, ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input ?? "",
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
}

/** Starts the binary without waiting, for signal tests. */
export function spawnBin(args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, [mainJs, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
}

/** Every temp dir these helpers made in this test file: removed after its last test. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "tsbuild-cli-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temp dir with the given files. */
export function tempTree(files: Record<string, string | Buffer>): string {
  const dir = tempDir("tsbuild-cli-ctx-");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export function rm(...dirs: string[]): void {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

/** `skopeo inspect` (or --config/--raw) of an archive or layout, parsed. */
export function skopeoInspect(ref: string, ...flags: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync("skopeo", ["inspect", ...flags, ref], { encoding: "utf8" })) as Record<
    string,
    unknown
  >;
}

export const helloDir = path.join(repoRoot, "fixtures", "hello");
