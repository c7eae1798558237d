/**
 * The bin (dist/cli/main.js, written by scripts/bundle-cli.js): runs the CLI bundle
 * (dist/cli/tsbuild.js) through V8's code cache. Node 20 has no module.enableCompileCache()
 * (22.1+), so this does what it does by hand: compile with the cached data kept next to the
 * bundle, and when there was none or V8 rejected it (another Node, another bundle), write it at
 * exit, when it also holds the functions this run compiled (--help and --version
 * are not cached). An unwritable dist/ only loses the
 * cache. Only fs, path and vm load here (v8 when a cache is written); everything else is the bundle's business.
 *
 * The file starts as a shell script (scripts/bundle-cli.js writes that first line), see
 * src/net/extra-ca.ts for why.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { createRequire } from "node:module";

/**
 * One cache per command: V8 caches the functions a run has compiled, so a cache written by
 * `tsbuild images` would leave a build compiling most of its code again. Only a cache key:
 * anything else counts as the default command.
 */
const CACHE_KEYS = new Set([
  "build",
  "images",
  "inspect",
  "history",
  "save",
  "push",
  "rmi",
  "du",
  "prune",
  "parse",
  "login",
  "logout",
]);
function cacheKey(argv: readonly string[]): string | undefined {
  if (argv.includes("--version") || argv.includes("--help") || argv.includes("-h")) return undefined;
  const first = argv.find((a) => !a.startsWith("-"));
  return first !== undefined && CACHE_KEYS.has(first) ? first : "build";
}

/** Set by scripts/bundle-cli.js. */
declare const TSBUILD_VERSION: string;

const bundle = path.join(__dirname, "tsbuild.js");

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * V8 drops the bytecode of functions that have not run for a few major GCs, and the bundle's
 * outer function (every module's top-level code) runs once, at start. A run with many GCs (a
 * cold build with an apt-get RUN) flushed it before its cache was written at exit: the cache
 * lacked it (748 KB against 1.2 MB) and every later run, no-change rebuilds included, parsed
 * the 1.1 MB bundle again in runInThisContext (21-30 ms; a no-change rebuild 117 ms against
 * 85 with a complete cache). So the run that writes a cache keeps its bytecode. Only that run:
 * V8 hashes its flags into every code cache, Node's own built-in modules' too, so a process with
 * the flag changed compiles the built-ins it loads from source (+10-15 ms). The flag is set back
 * before the cache is made, so the cache carries the default flags' hash that readers have.
 */
function writeCacheAtExit(cacheFile: string, script: vm.Script): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only the writing run loads it
  const v8 = require("node:v8") as typeof import("node:v8");
  v8.setFlagsFromString("--no-flush-bytecode");
  process.once("exit", () => {
    v8.setFlagsFromString("--flush-bytecode");
    writeCache(cacheFile, script);
  });
}

function launch(argv: readonly string[]): void {
  const key = process.env.TSBUILD_NO_COMPILE_CACHE === "1" ? undefined : cacheKey(argv);
  // V8 checks a cache against the source's length, not its bytes: the bundle's size and mtime
  // name the cache, so a rebuilt bundle never runs another bundle's code.
  const { mtimeMs, size } = fs.statSync(bundle);
  const tag = `${process.version}-${process.arch}-${size}-${Math.floor(mtimeMs)}`;
  const cacheFile = path.join(__dirname, `.tsbuild.js.${tag}.${key ?? "none"}.v8cache`);
  // esbuild writes ASCII only (charset ascii, checked by scripts/bundle-cli.js): latin1 is the
  // same text without UTF-8 decoding.
  const source = fs.readFileSync(bundle, "latin1");
  const cachedData = key === undefined ? undefined : readCache(cacheFile);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cachedData !== undefined ? { cachedData } : {}),
  });
  if (key !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    writeCacheAtExit(cacheFile, script);
  }
  // the bundle is wrapped as a CommonJS function expression by the launcher itself.
  const entry = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: { exports: object },
    filename: string,
    dirname: string,
  ) => void;
  const mod = { exports: {} };
  entry(mod.exports, createRequire(bundle), mod, bundle, __dirname);
}

const argv = process.argv.slice(2);
// `--version` alone is answered before the bundle is even read: it is the start-up users time.
if (argv.length === 1 && argv[0] === "--version") process.stdout.write(`${TSBUILD_VERSION}\n`);
else launch(argv);
