import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { BuildOptions, BuildResult } from "../../src/engine/build-options";
import type { CaseEnv, HostileCase } from "./harness";
import { gzipBombLayer } from "./layers";

/**
 * tsbuild killed (kill -9, or SIGINT) at a chosen moment of a build run by the CLI (dist/): then
 * no mount and no process may be left (the suite checks), and the next build on the same cache
 * must succeed and give the digest of a clean build (the harness rebuilds once more).
 */
const CLI = path.resolve(__dirname, "../../dist/cli/main.js");

/** Files under `dir` (recursively) whose name matches `re`. */
function findUnder(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (re.test(n)) out.push(p);
      try {
        if (fs.lstatSync(p).isDirectory()) walk(p);
      } catch {
        // vanished meanwhile
      }
    }
  };
  walk(dir);
  return out;
}

/** Runs the CLI build, sends `signal` once `ready()` holds (polled), waits for it to exit. */
async function killWhen(
  e: CaseEnv,
  args: string[],
  ready: (log: string) => boolean,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }> {
  const child = spawn(
    process.execPath,
    [CLI, "build", "--progress", "plain", "--cache-dir", e.cacheDir, ...args, e.context],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (c: Buffer) => (log += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, sig) => r({ code, signal: sig })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 90_000;
  while (!done && !ready(log)) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the moment to kill never came:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 15));
  }
  if (done) throw new Error(`the build ended before the moment to kill it:\n${log}`);
  child.kill(signal);
  const how = await exited;
  return { ...how, log };
}

/** `sleep 37` processes (the marker of these cases' RUN) still alive. */
function sleepers(): string[] {
  return execFileSync("ps", ["-eo", "args="], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.trim() === "sleep 37");
}

async function noSleepers(): Promise<void> {
  for (let i = 0; i < 50 && sleepers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(sleepers()).toEqual([]);
}

/** After the kill: the next in-process build on the same cache, with the final Dockerfile. */
async function rebuild(e: CaseEnv, options: BuildOptions, dockerfile?: string): Promise<BuildResult> {
  if (dockerfile !== undefined) fs.writeFileSync(path.join(e.context, "Dockerfile"), dockerfile);
  const result = await build(options);
  expect(findUnder(e.cacheDir, /\.tmp-\d+-/)).toEqual([]);
  return result;
}

const BB = (e: CaseEnv): string => `${e.registry}/hostile/busybox:1`;
const RUN_DF = (e: CaseEnv, secs: number): string =>
  `FROM ${BB(e)}\nRUN echo started && sleep ${secs} && echo done > /done\n`;

export const KILL_CASES: HostileCase[] = [
  {
    id: "kill-mid-run",
    outcome: "OK",
    title: "kill -9 of tsbuild while a RUN sleeps",
    anchor: "a container, mount or half-recorded step left by a dead builder",
    context: (e) => ({ Dockerfile: RUN_DF(e, 37) }),
    action: async (e, options) => {
      await killWhen(e, [], (log) => /\bstarted\b/.test(log.split("RUN echo started")[1] ?? ""));
      await noSleepers();
      return rebuild(e, options, RUN_DF(e, 0));
    },
  },
  {
    id: "sigint-mid-run",
    outcome: "OK",
    title: "SIGINT of tsbuild while a RUN sleeps",
    anchor: "Ctrl-C leaving the step's container running",
    context: (e) => ({ Dockerfile: RUN_DF(e, 37) }),
    action: async (e, options) => {
      const r = await killWhen(
        e,
        [],
        (log) => /\bstarted\b/.test(log.split("RUN echo started")[1] ?? ""),
        "SIGINT",
      );
      expect(r.code === 130 || r.signal === "SIGINT").toBe(true);
      await noSleepers();
      return rebuild(e, options, RUN_DF(e, 0));
    },
  },
  {
    id: "kill-mid-unpack",
    outcome: "OK",
    title: "kill -9 while a 256 MiB base layer is being unpacked",
    anchor: "a half-unpacked layer directory taken as complete",
    image: (e) => ({ layers: [gzipBombLayer(e.target, "zeros", 256 << 20)], busybox: true }),
    context: (e) => ({ Dockerfile: `FROM ${e.image}\nRUN test -s /zeros\n` }),
    action: async (e, options) => {
      const layers = path.join(e.cacheDir, "layers");
      await killWhen(e, [], () =>
        findUnder(layers, /\.tmp-/).some((d) => {
          try {
            return fs.statSync(path.join(d, "zeros")).size > 1 << 20;
          } catch {
            return false;
          }
        }),
      );
      return rebuild(e, options);
    },
  },
  {
    id: "kill-mid-layer-commit",
    outcome: "OK",
    title: "kill -9 while a 128 MB COPY layer is written into the cache",
    anchor: "a torn blob or record committed by a dead builder",
    setup: (e) => {
      fs.mkdirSync(e.context, { recursive: true });
      const fd = fs.openSync(path.join(e.context, "big"), "w");
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < 128; i++) {
        chunk.writeUInt32LE(i, 0);
        fs.writeSync(fd, chunk);
      }
      fs.closeSync(fd);
    },
    context: () => ({ Dockerfile: "FROM scratch\nCOPY big /big\nLABEL k=v\n" }),
    options: () => ({ compression: "uncompressed" }),
    action: async (e, options) => {
      await killWhen(e, ["--compression", "uncompressed"], () =>
        findUnder(path.join(e.cacheDir, "tmp"), /^layer\.tmp-/).some(
          (f) => fs.statSync(f, { throwIfNoEntry: false })?.size,
        ),
      );
      return rebuild(e, options);
    },
  },
  {
    id: "kill-mid-export",
    outcome: "OK",
    title: "kill -9 while an OCI tar of 128 MB is being written",
    anchor: "a partial dest.tmp-* left next to the destination forever (issue #14)",
    setup: (e) => {
      fs.mkdirSync(e.context, { recursive: true });
      const fd = fs.openSync(path.join(e.context, "big"), "w");
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < 128; i++) {
        chunk.writeUInt32LE(i + 7, 0);
        fs.writeSync(fd, chunk);
      }
      fs.closeSync(fd);
    },
    context: () => ({ Dockerfile: "FROM scratch\nCOPY big /big\n" }),
    options: (e) => ({
      compression: "uncompressed",
      outputs: [{ type: "oci", dest: path.join(e.target, "image.tar"), tar: true }],
    }),
    action: async (e, options) => {
      const dest = path.join(e.target, "image.tar");
      await killWhen(e, ["--compression", "uncompressed", "--output", `type=oci,dest=${dest}`], () =>
        fs.readdirSync(e.target).some((n) => n.startsWith("image.tar.tmp-")),
      );
      const result = await rebuild(e, options);
      expect(fs.readdirSync(e.target).filter((n) => n.startsWith("image.tar"))).toEqual(["image.tar"]);
      return result;
    },
  },
];
