import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { openContext, type BuildContext } from "../../src/context/build-context";
import { ContextError } from "../../src/context/errors";
import { TsbuildError } from "../../src/errors";
import { makeTemp, removeTemp, writeTree } from "./tree-fixture";

describe("BuildContext.resolveSources", () => {
  let dir: string;
  let outside: string;
  let ctx: BuildContext;

  beforeEach(async () => {
    dir = makeTemp();
    outside = makeTemp();
    writeTree(outside, { passwd: "root:x:0:0" });
    writeTree(dir, {
      ".dockerignore": "*.secret\nignored\n",
      "go.mod": "module x",
      "go.sum": "sum",
      "src/main.go": "package main",
      "src/util.go": "package main",
      "src/util_test.go": "package main",
      "src/sub/deep.go": "package sub",
      "src/[x].txt": "brackets",
      "a\\*b": "backslash-star",
      "config.secret": "hidden",
      "ignored/file.txt": "hidden",
      empty: { dir: true },
      "links/to-file": { link: "../src/main.go" },
      "links/to-dir": { link: "../src/sub" },
      "links/abs-inside": { link: path.join(dir, "go.mod") },
      "links/to-outside": { link: path.join(outside, "passwd") },
      "links/climbing": { link: "../../../../../../etc/passwd" },
      "links/to-ignored": { link: "../config.secret" },
      "links/dangling": { link: "nowhere" },
      "links/loop-a": { link: "loop-b" },
      "links/loop-b": { link: "loop-a" },
    });
    ctx = await openContext(dir);
  });
  afterEach(() => {
    removeTemp(dir);
    removeTemp(outside);
  });

  const paths = (patterns: string[]) => ctx.resolveSources(patterns).map((s) => [s.path, s.target, s.kind]);

  test("a plain file, a directory and the root", () => {
    expect(paths(["go.mod", "src", "."])).toEqual([
      ["go.mod", "go.mod", "entry"],
      ["src", "src", "directory"],
      [".", ".", "directory"],
    ]);
  });

  test("a leading / means the context root; ./ and trailing / are accepted", () => {
    expect(paths(["/go.mod", "./src/", "/", "src/sub/."])).toEqual([
      ["go.mod", "go.mod", "entry"],
      ["src", "src", "directory"],
      [".", ".", "directory"],
      ["src/sub", "src/sub", "directory"],
    ]);
  });

  test("wildcards: *, ?, classes, across directory levels, in byte order", () => {
    expect(paths(["go.*"]).map((p) => p[0])).toEqual(["go.mod", "go.sum"]);
    expect(paths(["src/*.go"]).map((p) => p[0])).toEqual(["src/main.go", "src/util.go", "src/util_test.go"]);
    expect(paths(["src/util?go"]).map((p) => p[0])).toEqual(["src/util.go"]);
    expect(paths(["src/[mu]*_test.go"]).map((p) => p[0])).toEqual(["src/util_test.go"]);
    expect(paths(["src/[^u]*.go"]).map((p) => p[0])).toEqual(["src/main.go"]);
    expect(paths(["*/*/*.go"]).map((p) => p[0])).toEqual(["src/sub/deep.go"]);
    expect(paths(["s*"])).toEqual([["src", "src", "directory"]]);
  });

  test("escaped wildcard characters match themselves", () => {
    // Without an unescaped wildcard the source is taken literally, backslashes included.
    expect(() => paths(["src/\\[x\\].txt"])).toThrow("(did you mean src/[x].txt?)");
    expect(paths(["src/[[]x[\\]].txt"]).map((p) => p[0])).toEqual(["src/[x].txt"]);
    expect(paths(["a\\*b"]).map((p) => p[0])).toEqual(["a\\*b"]);
    // With a wildcard, \* means "*": "?" takes the "a", then "*" does not match the backslash.
    expect(paths(["?\\*b"])).toEqual([]);
    expect(paths(["?\\\\\\*b"]).map((p) => p[0])).toEqual(["a\\*b"]);
  });

  test("a wildcard matching nothing is allowed (BuildKit's AllowEmptyWildcard) unless disabled", () => {
    expect(paths(["*.rs"])).toEqual([]);
    expect(() => ctx.resolveSources(["*.rs"], { allowEmptyWildcard: false })).toThrow(
      /file not found in build context: \*\.rs/,
    );
  });

  test("a malformed wildcard is a typed error", () => {
    expect(() => ctx.resolveSources(["src/[a-"])).toThrow(ContextError);
    expect(() => ctx.resolveSources(["src/[a-"])).toThrow(/syntax error in pattern/);
  });

  test("a missing source lists close matches", () => {
    let err: unknown;
    try {
      ctx.resolveSources(["src/mian.go"]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContextError);
    expect(err).toBeInstanceOf(TsbuildError);
    const e = err as ContextError;
    expect(e.code).toBe("CONTEXT_SOURCE_NOT_FOUND");
    expect(e.pattern).toBe("src/mian.go");
    expect(e.message).toBe("file not found in build context: src/mian.go (did you mean src/main.go?)");
  });

  test("a misspelled directory is suggested too; nothing close means no suggestion", () => {
    expect(() => ctx.resolveSources(["scr/main.go"])).toThrow("(did you mean src/main.go?)");
    expect(() => ctx.resolveSources(["completely-different.txt"])).toThrow(
      /^file not found in build context: completely-different\.txt$/,
    );
  });

  test("ignored files are invisible: not found, never suggested, not matched by wildcards", () => {
    expect(() => ctx.resolveSources(["config.secret"])).toThrow(
      "file not found in build context: config.secret (excluded by " +
        path.join(fs.realpathSync(dir), ".dockerignore") +
        ")",
    );
    expect(() => ctx.resolveSources(["ignored/file.txt"])).toThrow(/excluded by/);
    expect(() => ctx.resolveSources(["config.secre"])).toThrow(
      /^file not found in build context: config.secre$/,
    );
    expect(paths(["*.secret"])).toEqual([]);
    expect(paths(["ignore*"])).toEqual([]);
  });

  test("../ is refused even when it would land back inside", () => {
    for (const bad of ["../x", "src/../../go.mod", "/../go.mod", ".."]) {
      expect(() => ctx.resolveSources([bad])).toThrow(ContextError);
      try {
        ctx.resolveSources([bad]);
      } catch (e) {
        expect((e as ContextError).code).toBe("CONTEXT_SOURCE_OUTSIDE");
        expect((e as ContextError).pattern).toBe(bad);
      }
    }
    // Climbing that stays inside is fine.
    expect(paths(["src/sub/../main.go"])).toEqual([["src/main.go", "src/main.go", "entry"]]);
  });

  test("a symlink source is followed inside the context and keeps its own name", () => {
    expect(paths(["links/to-file"])).toEqual([["links/to-file", "src/main.go", "entry"]]);
    expect(paths(["links/to-dir"])).toEqual([["links/to-dir", "src/sub", "directory"]]);
    expect(paths(["links/to-dir/deep.go"])).toEqual([["links/to-dir/deep.go", "src/sub/deep.go", "entry"]]);
    expect(paths(["links/abs-inside"])).toEqual([["links/abs-inside", "go.mod", "entry"]]);
  });

  test("a symlink leading outside the context is an error, never followed", () => {
    for (const bad of ["links/to-outside", "links/climbing", "links/*outside"]) {
      expect(() => ctx.resolveSources([bad])).toThrow(/leads outside the build context/);
    }
  });

  test("a symlink to an ignored file, a dangling one and a loop", () => {
    expect(() => ctx.resolveSources(["links/to-ignored"])).toThrow(/file not found in build context/);
    expect(() => ctx.resolveSources(["links/dangling"])).toThrow(/file not found in build context/);
    expect(() => ctx.resolveSources(["links/loop-a"])).toThrow(/too many levels of symbolic links/);
  });

  test("a file named with a trailing slash is not found", () => {
    expect(() => ctx.resolveSources(["go.mod/"])).toThrow(/file not found/);
  });

  test("an empty directory resolves", () => {
    expect(paths(["empty"])).toEqual([["empty", "empty", "directory"]]);
  });
});

describe("BuildContext.walk", () => {
  let dir: string;
  afterEach(() => removeTemp(dir));

  test("reports paths, types, modes, sizes, owners and link targets; symlinks stay links", async () => {
    dir = makeTemp();
    writeTree(dir, {
      "app/bin/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "app/data.txt": { content: "12345", mode: 0o640 },
      "app/current": { link: "bin/run.sh" },
      "app/outside": { link: "/etc/passwd" },
      "app/.dockerignore": "x",
    });
    const ctx = await openContext(dir);
    const files = await ctx.files(ctx.resolveSources(["app", "app/data.txt"]));
    const summary = files.map((f) => [
      f.source,
      f.path,
      f.contextPath,
      f.type,
      f.mode.toString(8),
      f.size,
      f.linkTarget,
    ]);
    expect(summary).toEqual([
      [0, ".", "app", "directory", expect.any(String), 0, undefined],
      [0, ".dockerignore", "app/.dockerignore", "file", "644", 1, undefined],
      [0, "bin", "app/bin", "directory", expect.any(String), 0, undefined],
      [0, "bin/run.sh", "app/bin/run.sh", "file", "755", 10, undefined],
      [0, "current", "app/current", "symlink", "777", 0, "bin/run.sh"],
      [0, "data.txt", "app/data.txt", "file", "640", 5, undefined],
      // A symlink inside a directory source is copied as a link, whatever it points at.
      [0, "outside", "app/outside", "symlink", "777", 0, "/etc/passwd"],
      [1, "data.txt", "app/data.txt", "file", "640", 5, undefined],
    ]);
    expect(files[0].uid).toBe(fs.statSync(dir).uid);
    expect(
      files.every((f) => path.isAbsolute(f.hostPath) && f.hostPath.startsWith(fs.realpathSync(dir))),
    ).toBe(true);
    const chunks: Buffer[] = [];
    for await (const c of files[5].open()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("12345");
    expect(await files[4].contentHash()).toBeUndefined();
    expect(await files[5].contentHash()).toMatch(/^[0-9a-f]{16}$/);
  });

  test("fifos are reported with their type; a socket is an empty regular file (as BuildKit sends it)", async () => {
    dir = makeTemp();
    writeTree(dir, { "d/file": "x" });
    execFileSync("mkfifo", [path.join(dir, "d/pipe")]);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, "d/sock"), resolve));
    try {
      const ctx = await openContext(dir);
      const files = await ctx.files(ctx.resolveSources(["d"]));
      expect(files.map((f) => [f.path, f.type])).toEqual([
        [".", "directory"],
        ["file", "file"],
        ["pipe", "fifo"],
        ["sock", "file"],
      ]);
      const sock = files[3];
      expect(sock.size).toBe(0);
      const chunks: Buffer[] = [];
      for await (const c of sock.open()) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks)).toHaveLength(0);
      expect(await sock.contentHash()).toBeDefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("isIgnored and walk() agree with the ignore rules", async () => {
    dir = makeTemp();
    writeTree(dir, {
      ".dockerignore": "tmp\n*.log\n!keep.log\n",
      "tmp/x": "x",
      "a.log": "a",
      "keep.log": "k",
      "b.txt": "b",
    });
    const ctx = await openContext(dir);
    expect(
      ["tmp", "tmp/x", "a.log", "keep.log", "b.txt", "missing.log"].map((p) => ctx.isIgnored(p)),
    ).toEqual([true, true, true, false, false, true]);
    const walked: string[] = [];
    for await (const f of ctx.walk(ctx.resolveSources(["."]))) walked.push(f.path);
    expect(walked).toEqual([".", ".dockerignore", "b.txt", "keep.log"]);
  });

  test("openContext refuses a missing directory or a file", async () => {
    dir = makeTemp();
    writeTree(dir, { f: "x" });
    await expect(openContext(path.join(dir, "nope"))).rejects.toThrow(/open build context/);
    await expect(openContext(path.join(dir, "f"))).rejects.toThrow(/not a directory/);
  });
});
