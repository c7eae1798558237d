import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { CacheStore } from "../../src/cache";
import { ensureDist } from "../cli/helpers";
import { rm, tempTree } from "./helpers";

/**
 * kill -9 of the tsbuild process in the middle of a RUN: no mount, no process of the step, no
 * record of the unfinished step survives, and the next build on the same cache runs clean.
 */
let ctx: string;
let cache: string;
beforeAll(() => ensureDist(), 300_000);
beforeEach(() => {
  ctx = tempTree({ busybox: fs.readFileSync("/bin/busybox") });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

it("kill -9 mid-RUN leaves nothing running or mounted, and a rebuild succeeds", async () => {
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nRUN echo started > /started && sleep 30 && echo done > /done\n',
  );
  const cli = path.resolve(__dirname, "../../dist/cli/main.js");
  const child = spawn(process.execPath, [cli, "build", "--progress", "plain", "--cache-dir", cache, ctx], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`RUN never started:\n${log}`)), 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (/RUN echo started/.test(log) && !/#\d+ CACHED/.test(log.split("RUN echo started")[1] ?? "")) {
        clearTimeout(timer);
        setTimeout(resolve, 1000); // let the step's sandbox come up
      }
    });
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
  // The step's namespace dies with its parent (pdeathsig): give the kernel a moment.
  for (let i = 0; i < 50 && sleepers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(sleepers()).toEqual([]);
  const mounts = execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" });
  expect(mounts.split("\n").filter((m) => m.includes(cache))).toEqual([]);

  // The killed build's scratch dir is left behind, named after its process...
  const temps = (): string[] =>
    fs.existsSync(path.join(cache, "tmp")) ? fs.readdirSync(path.join(cache, "tmp")) : [];
  expect(temps().filter((n) => n.startsWith(`build.tmp-${child.pid}-`))).toHaveLength(1);
  // ...so the next process to open the cache removes it at once.
  const store = await CacheStore.open(cache);
  expect(temps()).toEqual([]);
  const records = await store.records.list();
  expect(records.map((r) => r.record.description)).not.toContain(
    "RUN echo started > /started && sleep 30 && echo done > /done",
  );
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    fs.readFileSync(path.join(ctx, "Dockerfile"), "utf8").replace("sleep 30", "sleep 0"),
  );
  const runDirs = (): string[] =>
    fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`tsbuild-run-${child.pid}-`));
  // The sandbox scratch dir and runc's state of the killed build's container stay until the next
  // RUN on this machine sweeps them: that may be another test's RUN running meanwhile, so at most
  // one of each is left here, and none after this process's next build.
  expect(runDirs().length).toBeLessThanOrEqual(1);
  const containers = (): string[] =>
    fs.existsSync("/run/tsbuild/runc")
      ? fs.readdirSync("/run/tsbuild/runc").filter((n) => n.startsWith(`tsbuild-${child.pid}-`))
      : [];
  expect(containers().length).toBeLessThanOrEqual(1);
  const again = await build({ context: ctx, cacheDir: cache });
  expect(containers()).toEqual([]); // runc delete --force of a dead owner's container
  expect(temps()).toEqual([]);
  expect(runDirs()).toEqual([]); // the executor's sandbox scratch of the killed build, swept too
  expect(again.steps.map((s) => [s.display.slice(0, 14), s.cached])).toEqual([
    ["COPY busybox /", true],
    ['RUN ["/bin/bus', true],
    ["RUN echo start", false],
  ]);
}, 120_000);

/** `sleep 30` processes of the killed build still alive. */
function sleepers(): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((l) => /\bsleep 30\b/.test(l) && !/ps -eo/.test(l));
}
