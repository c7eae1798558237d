import * as fs from "node:fs";
import * as path from "node:path";
import { ContextError } from "../../src/context/errors";
import { loadIgnoreRules, parseIgnoreFile } from "../../src/context/ignore-file";
import { openContext } from "../../src/context/build-context";
import { makeTemp, removeTemp, writeTree } from "./tree-fixture";

describe("parseIgnoreFile (moby ignorefile.ReadAll)", () => {
  test("comments, blank lines, trimming, cleaning and leading slashes", () => {
    const text = [
      "\uFEFF# comment",
      "",
      "   ",
      "  node_modules  ",
      "/abs/path",
      "./rel/",
      "a//b/../c",
      "!  ./keep/this ",
      " # not a comment: only column 1 starts one",
      "/",
      "*.log\r",
    ].join("\n");
    expect(parseIgnoreFile(text)).toEqual([
      "node_modules",
      "abs/path",
      "rel",
      "a/c",
      "!keep/this",
      "# not a comment: only column 1 starts one",
      "/",
      "*.log",
    ]);
  });

  test("a BOM only counts on the first line", () => {
    expect(parseIgnoreFile("a\n\uFEFFb")).toEqual(["a", "\uFEFFb"]);
  });

  test("a bare `!` survives parsing and is rejected by the matcher", () => {
    expect(parseIgnoreFile("!\n")).toEqual(["!"]);
  });
});

describe("loadIgnoreRules", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTemp();
  });
  afterEach(() => removeTemp(dir));

  test("no ignore file: nothing is excluded", () => {
    const rules = loadIgnoreRules(dir);
    expect(rules.file).toBeUndefined();
    expect(rules.patterns).toEqual([]);
  });

  test("the context root's .dockerignore", () => {
    writeTree(dir, { ".dockerignore": "*.log\n" });
    const rules = loadIgnoreRules(dir, "Dockerfile");
    expect(rules.file).toBe(path.join(dir, ".dockerignore"));
    expect(rules.patterns).toEqual(["*.log"]);
  });

  test("<Dockerfile>.dockerignore next to the Dockerfile takes precedence, without merging", () => {
    writeTree(dir, {
      ".dockerignore": "*.log\n",
      "build/app.Dockerfile": "FROM scratch\n",
      "build/app.Dockerfile.dockerignore": "*.tmp\n",
    });
    const rules = loadIgnoreRules(dir, "build/app.Dockerfile");
    expect(rules.file).toBe(path.join(dir, "build/app.Dockerfile.dockerignore"));
    expect(rules.patterns).toEqual(["*.tmp"]);
    // Another Dockerfile without its own ignore file falls back to the root one.
    expect(loadIgnoreRules(dir, "Dockerfile").patterns).toEqual(["*.log"]);
  });

  test("a Dockerfile outside the context still brings its own ignore file", () => {
    const outside = makeTemp();
    try {
      writeTree(outside, { "Dockerfile.dockerignore": "secret\n" });
      writeTree(dir, { ".dockerignore": "other\n" });
      expect(loadIgnoreRules(dir, path.join(outside, "Dockerfile")).patterns).toEqual(["secret"]);
    } finally {
      removeTemp(outside);
    }
  });

  test("a malformed pattern is a typed error naming the file and pattern", () => {
    writeTree(dir, { ".dockerignore": "ok\nbad[\n" });
    expect(() => loadIgnoreRules(dir)).toThrow(ContextError);
    expect(() => loadIgnoreRules(dir)).toThrow(
      /parse ignore file .*\.dockerignore: syntax error in pattern "bad\["/,
    );
  });

  test("an unreadable ignore file (a directory) is a typed error", () => {
    fs.mkdirSync(path.join(dir, ".dockerignore"));
    expect(() => loadIgnoreRules(dir)).toThrow(/read ignore file/);
  });
});

describe(".dockerignore applied to a context", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTemp();
    writeTree(dir, {
      Dockerfile: "FROM scratch\n",
      "app.js": "a",
      "debug.log": "log",
      "src/index.js": "i",
      "src/util.js": "u",
      "src/tmp/cache.bin": "c",
      "docs/guide.md": "g",
      "docs/api/ref.md": "r",
      "docs/README.md": "readme",
      "node_modules/dep/index.js": "d",
      "packages/a/node_modules/x.js": "x",
      "packages/a/lib.js": "l",
      "secret/keys/id_rsa": "k",
      "secret/public.pem": "p",
    });
  });
  afterEach(() => removeTemp(dir));

  async function visible(ignore: string, dockerfilePath?: string): Promise<string[]> {
    fs.writeFileSync(path.join(dir, ".dockerignore"), ignore);
    const ctx = await openContext(dir, { dockerfilePath });
    const files = await ctx.files(ctx.resolveSources(["."]));
    return files.filter((f) => f.type !== "directory").map((f) => f.path);
  }

  test("plain names, wildcards and ** patterns", async () => {
    const got = await visible("*.log\nnode_modules\n**/node_modules\nsrc/tmp\n");
    expect(got).toEqual([
      ".dockerignore",
      "Dockerfile",
      "app.js",
      "docs/README.md",
      "docs/api/ref.md",
      "docs/guide.md",
      "packages/a/lib.js",
      "secret/keys/id_rsa",
      "secret/public.pem",
      "src/index.js",
      "src/util.js",
    ]);
  });

  test("leading / and ./ are stripped: patterns are relative to the root", async () => {
    const got = await visible("/app.js\n./debug.log\n/src/*.js\n");
    expect(got).not.toContain("app.js");
    expect(got).not.toContain("debug.log");
    expect(got).not.toContain("src/index.js");
    expect(got).toContain("src/tmp/cache.bin");
  });

  test("a directory excluded with an exception re-includes only the exception", async () => {
    const got = await visible("docs\n!docs/README.md\n");
    expect(got.filter((p) => p.startsWith("docs/"))).toEqual(["docs/README.md"]);
    // The excluded directory itself is still sent as the parent of what was re-included.
    const ctx = await openContext(dir);
    const all = await ctx.files(ctx.resolveSources(["."]));
    expect(all.filter((f) => f.type === "directory").map((f) => f.path)).toContain("docs");
    expect(all.map((f) => f.path)).not.toContain("docs/api");
  });

  test("wildcard exceptions reach into excluded directories", async () => {
    const got = await visible("docs\n!**/ref.md\n");
    expect(got.filter((p) => p.startsWith("docs/"))).toEqual(["docs/api/ref.md"]);
  });

  test("exclude everything, then re-include", async () => {
    const got = await visible("*\n!src\n!Dockerfile\nsrc/tmp\n");
    expect(got).toEqual(["Dockerfile", "src/index.js", "src/util.js"]);
  });

  test("the last matching line wins", async () => {
    expect(await visible("secret\n!secret/public.pem\n")).toContain("secret/public.pem");
    expect(await visible("!secret/public.pem\nsecret\n")).not.toContain("secret/public.pem");
  });

  test("the Dockerfile and .dockerignore can be excluded from COPY (BuildKit)", async () => {
    const got = await visible("Dockerfile\n.dockerignore\n");
    expect(got).not.toContain("Dockerfile");
    expect(got).not.toContain(".dockerignore");
  });

  test("the Dockerfile-specific ignore file replaces the root one", async () => {
    writeTree(dir, { "ci/Dockerfile.dockerignore": "src\n" });
    const got = await visible("*.log\n", "ci/Dockerfile");
    expect(got).toContain("debug.log");
    expect(got.some((p) => p.startsWith("src/"))).toBe(false);
  });

  test("comments and blank lines change nothing", async () => {
    const a = await visible("*.log\n");
    const b = await visible("# logs\n\n*.log\n\n# end\n");
    expect(b).toEqual(a);
  });
});
