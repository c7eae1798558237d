import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { keys, makeContext, planOf } from "./helpers";

/**
 * The cache-key properties the planner promises (issue #4): keys depend on exactly the inputs
 * that change a step's result, never on mtimes or host paths.
 */
const dockerfile = `FROM scratch
COPY base.txt /base.txt
ARG FLAVOUR=plain
COPY app/ /app/
RUN build
COPY docs/readme.md /readme.md
`;

let dirs: string[] = [];
function context(): string {
  const dir = makeContext({
    "base.txt": "base",
    "app/main.c": "int main(){}",
    "app/util.c": "void u(){}",
    "docs/readme.md": "# hi",
    "unused.txt": "nobody copies me",
    "app/ignored.log": "noise",
    ".dockerignore": "**/*.log\n",
  });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

async function keysOf(dir: string, buildArgs?: Record<string, string>, cacheDir?: string): Promise<string[]> {
  return keys(await planOf({ dockerfile, contextDir: dir, buildArgs, cacheDir }));
}

describe("cache keys", () => {
  it("are stable across plans of the same inputs", async () => {
    const dir = context();
    expect(await keysOf(dir)).toEqual(await keysOf(dir));
  });

  it("touching a file without changing its bytes keeps every key", async () => {
    const dir = context();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-statcache-"));
    dirs.push(cache);
    const before = await keysOf(dir, undefined, cache);
    const later = new Date(Date.now() + 60_000);
    for (const f of ["base.txt", "app/main.c", "docs/readme.md"])
      fs.utimesSync(path.join(dir, f), later, later);
    expect(await keysOf(dir, undefined, cache)).toEqual(before);
  });

  it("editing a file changes the key of the first step that copies it and the steps after, nothing before", async () => {
    const dir = context();
    const before = await keysOf(dir);
    fs.writeFileSync(path.join(dir, "app/util.c"), "void u(){ return; }");
    const after = await keysOf(dir);
    expect(after[0]).toBe(before[0]); // COPY base.txt
    expect(after.slice(1)).not.toEqual(expect.arrayContaining([before[1], before[2], before[3]]));
    for (let i = 1; i < 4; i++) expect(after[i]).not.toBe(before[i]);
  });

  it("editing a file that no step copies, or that .dockerignore excludes, changes nothing", async () => {
    const dir = context();
    const before = await keysOf(dir);
    fs.writeFileSync(path.join(dir, "unused.txt"), "changed");
    fs.writeFileSync(path.join(dir, "app/ignored.log"), "changed");
    fs.writeFileSync(path.join(dir, "app/new.log"), "new ignored file");
    expect(await keysOf(dir)).toEqual(before);
  });

  it("renaming the context directory changes nothing", async () => {
    const dir = context();
    const before = await keysOf(dir);
    const moved = `${dir}-renamed`;
    fs.renameSync(dir, moved);
    dirs.push(moved);
    expect(await keysOf(moved)).toEqual(before);
  });

  it("a mode change of a copied file changes its step's key", async () => {
    const dir = context();
    const before = await keysOf(dir);
    fs.chmodSync(path.join(dir, "docs/readme.md"), 0o600);
    const after = await keysOf(dir);
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(after[3]).not.toBe(before[3]);
  });

  it("changing a build arg changes only the steps after the ARG that declares it", async () => {
    const dir = context();
    const plain = await keysOf(dir);
    const fancy = await keysOf(dir, { FLAVOUR: "fancy" });
    expect(fancy[0]).toBe(plain[0]); // before the ARG
    expect(fancy[2]).not.toBe(plain[2]); // RUN sees the arg in its environment
    expect(fancy[3]).not.toBe(plain[3]); // and everything after it
  });

  it("two stages with identical prefixes share keys", async () => {
    const dir = context();
    const p = await planOf({
      dockerfile:
        "FROM scratch AS a\nCOPY base.txt /b\nRUN one\nFROM scratch AS b\nCOPY base.txt /b\nRUN two\nFROM a\nCOPY --from=b /b /c\n",
      contextDir: dir,
    });
    const [a, b] = p.stages;
    expect(a.steps[0].cacheKey).toBe(b.steps[0].cacheKey);
    expect(a.steps[1].cacheKey).not.toBe(b.steps[1].cacheKey);
  });

  it("COPY --exclude leaves excluded files out of the key", async () => {
    const dir = context();
    const df = "FROM scratch\nCOPY --exclude=util.c app/ /app/\n";
    const before = keys(await planOf({ dockerfile: df, contextDir: dir }));
    fs.writeFileSync(path.join(dir, "app/util.c"), "edited");
    expect(keys(await planOf({ dockerfile: df, contextDir: dir }))).toEqual(before);
    fs.writeFileSync(path.join(dir, "app/main.c"), "edited");
    expect(keys(await planOf({ dockerfile: df, contextDir: dir }))).not.toEqual(before);
  });

  it("a proxy build arg reaches RUN but does not change its key", async () => {
    const dir = context();
    const df = "FROM scratch\nRUN fetch\n";
    const a = await planOf({ dockerfile: df, contextDir: dir });
    const b = await planOf({
      dockerfile: df,
      contextDir: dir,
      buildArgs: { HTTP_PROXY: "http://127.0.0.1:3128" },
    });
    expect(keys(b)).toEqual(keys(a));
    const run = b.stages[0].steps[0];
    // As BuildKit's proxy env: both spellings are set from either.
    expect(run.kind === "run" && run.state.buildArgs).toEqual([
      "HTTP_PROXY=http://127.0.0.1:3128",
      "http_proxy=http://127.0.0.1:3128",
    ]);
  });

  it("BUILDKIT_SANDBOX_HOSTNAME names RUN's host and is in its key, without an unused-arg warning", async () => {
    const dir = context();
    const df = "FROM scratch\nRUN hostname\n";
    const a = await planOf({ dockerfile: df, contextDir: dir });
    const b = await planOf({
      dockerfile: df,
      contextDir: dir,
      buildArgs: { BUILDKIT_SANDBOX_HOSTNAME: "foo" },
    });
    expect(keys(b)).not.toEqual(keys(a));
    const run = b.stages[0].steps[0];
    expect(run.kind === "run" && run.hostname).toBe("foo");
    expect(a.stages[0].steps[0].kind === "run" && a.stages[0].steps[0].hostname).toBeUndefined();
    expect(b.warnings.filter((w) => w.rule === "UnusedBuildArg")).toEqual([]);
    await expect(
      planOf({ dockerfile: df, contextDir: dir, buildArgs: { BUILDKIT_SANDBOX_HOSTNAME: "a b" } }),
    ).rejects.toThrow("not a hostname");
  });
});
