import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureDist, mainJs, tempDir, tempTree } from "./helpers";

/**
 * The bin's V8 code cache (src/cli/launcher.ts), on a copy of dist/cli/ so the real one is not
 * touched: what one run writes, the next one reads as is, and a run whose GCs flush bytecode
 * still writes a complete cache.
 */
describe("launcher code cache", () => {
  let cli: string;
  let dockerfile: string;
  beforeAll(() => {
    ensureDist();
    cli = path.join(tempDir("tsbuild-launcher-"), "cli");
    fs.mkdirSync(cli);
    for (const f of ["main.js", "tsbuild.js"])
      fs.copyFileSync(path.join(path.dirname(mainJs), f), path.join(cli, f));
    dockerfile = path.join(
      tempTree({ Dockerfile: "FROM busybox\nRUN echo hi\nCOPY a b /c/\n" }),
      "Dockerfile",
    );
  }, 300_000);

  const caches = (): string[] => fs.readdirSync(cli).filter((f) => f.endsWith(".v8cache"));
  const clear = (): void => caches().forEach((f) => fs.rmSync(path.join(cli, f)));
  const parse = (nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}): void => {
    const r = spawnSync(process.execPath, [...nodeFlags, path.join(cli, "main.js"), "parse", dockerfile], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  };
  const only = (): fs.Stats => {
    expect(caches()).toHaveLength(1);
    return fs.statSync(path.join(cli, caches()[0]));
  };

  test("one run writes the cache, the next reads it without rewriting it; NO_COMPILE_CACHE writes none", () => {
    clear();
    parse([], { TSBUILD_NO_COMPILE_CACHE: "1" });
    expect(caches()).toEqual([]);
    parse();
    const first = only();
    // A cache V8 rejected (another flags' hash: the writer's flag left set) is written again.
    parse();
    const second = only();
    expect({ ino: second.ino, mtime: second.mtimeMs }).toEqual({ ino: first.ino, mtime: first.mtimeMs });
  });

  test("a run whose GCs flush all old bytecode before exit still caches what it compiled", () => {
    clear();
    parse();
    const plain = only().size;
    clear();
    // --stress-flush-code flushes at every full GC, whatever the age; three run just before the
    // launcher's exit handler (the preload's comes first). Without the launcher keeping its
    // bytecode, the cache is a few KB (the outer function and every module's code flushed).
    const preload = path.join(path.dirname(dockerfile), "gc-at-exit.js");
    fs.writeFileSync(preload, 'process.once("exit", () => { for (let i = 0; i < 3; i++) global.gc(); });\n');
    parse(["--expose-gc", "--stress-flush-code", "-r", preload]);
    expect(only().size).toBeGreaterThan(plain * 0.9);
  });
});
