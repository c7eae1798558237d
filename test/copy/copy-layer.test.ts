import * as path from "node:path";
import { openContext } from "../../src/context";
import { copyLayerEntries } from "../../src/copy/copy-layer";
import { openContentPath, type LayerEntry } from "../../src/image/layer-entry";
import { LayerView } from "../../src/rootfs/layer-view";
import type { CopySpec } from "../../src/copy/copy-spec";
import { TempDirs, collect, copyStep, shape, writeTree, type TreeNode } from "./support";

const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

const CONTEXT: Record<string, TreeNode> = {
  "a.txt": "A",
  "b.txt": "B",
  "notes.md": "N",
  "src/main.go": "package main",
  "src/lib/util.go": "package lib",
  "src/lib/util_test.go": "package lib_test",
  "run.sh": { file: "#!/bin/sh", mode: 0o755 },
  "link-to-src": { symlink: "src" },
};

/** A destination stage: merged /usr, an existing /app, users. */
const DEST: Record<string, TreeNode> = {
  "usr/bin": { dir: true, mode: 0o755 },
  bin: { symlink: "usr/bin" },
  app: { dir: true, mode: 0o750, uid: 7, gid: 7 },
  "etc/passwd": "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n",
  "etc/group": "root:x:0:\napp:x:1001:\nstaff:x:50:\n",
};

async function run(
  partial: Partial<CopySpec> & Pick<CopySpec, "sources" | "dest">,
  extra: { sourceView?: LayerView } = {},
) {
  const root = tmp.make();
  const context = await openContext(writeTree(path.join(root, "ctx"), CONTEXT));
  const destView = new LayerView([writeTree(path.join(root, "dest"), DEST)]);
  return collect(
    copyLayerEntries(copyStep(partial), {
      context,
      destView,
      tmpDir: path.join(root, "tmp"),
      sourceDateEpoch: 1_700_000_000,
      ...extra,
    }),
  );
}

describe("layout rules (context sources)", () => {
  test("file → file", async () => {
    expect(shape(await run({ sources: ["a.txt"], dest: "/opt/x.txt" }))).toEqual({
      opt: "directory",
      "opt/x.txt": "file:A",
    });
  });

  test("file → dir/", async () => {
    expect(shape(await run({ sources: ["a.txt"], dest: "/opt/" }))).toEqual({
      opt: "directory",
      "opt/a.txt": "file:A",
    });
  });

  test("file → an existing directory without a trailing slash goes into it", async () => {
    const seen = await run({ sources: ["a.txt"], dest: "/app" });
    expect(shape(seen)).toEqual({ app: "directory", "app/a.txt": "file:A" });
    // The existing directory keeps its metadata.
    expect(seen[0]).toMatchObject({ path: "app", mode: 0o750, uid: 7, gid: 7 });
  });

  test("dir → dir copies the contents", async () => {
    expect(shape(await run({ sources: ["src"], dest: "/code" }))).toEqual({
      code: "directory",
      "code/lib": "directory",
      "code/lib/util.go": "file:package lib",
      "code/lib/util_test.go": "file:package lib_test",
      "code/main.go": "file:package main",
    });
  });

  test("wildcard → dir/", async () => {
    expect(shape(await run({ sources: ["*.txt"], dest: "/d/" }))).toEqual({
      d: "directory",
      "d/a.txt": "file:A",
      "d/b.txt": "file:B",
    });
  });

  test(". → / copies the context into the root without replacing the root", async () => {
    const seen = shape(await run({ sources: ["."], dest: "/" }));
    expect(seen[""]).toBeUndefined();
    expect(seen["a.txt"]).toBe("file:A");
    expect(seen["src/lib/util.go"]).toBe("file:package lib");
    expect(seen["link-to-src"]).toBe("->src");
  });

  test("a symlinked source is followed and copied under its own name", async () => {
    expect(shape(await run({ sources: ["link-to-src/main.go"], dest: "/x/" }))).toEqual({
      x: "directory",
      "x/main.go": "file:package main",
    });
  });

  test("the destination is resolved through the stage's symlinks (merged /usr)", async () => {
    const seen = await run({ sources: ["run.sh"], dest: "/bin/" });
    expect(shape(seen)).toEqual({
      usr: "directory",
      "usr/bin": "directory",
      "usr/bin/run.sh": "file:#!/bin/sh",
    });
    expect(seen.find((s) => s.path === "usr/bin/run.sh")?.mode).toBe(0o755);
  });

  test("created parents are 0755 and owned by the --chown user; copied entries too", async () => {
    const seen = await run({ sources: ["a.txt"], dest: "/new/deep/", chown: "app" });
    expect(seen).toEqual([
      expect.objectContaining({ path: "new", type: "directory", mode: 0o755, uid: 1000, gid: 1001 }),
      expect.objectContaining({ path: "new/deep", type: "directory", mode: 0o755, uid: 1000, gid: 1001 }),
      expect.objectContaining({ path: "new/deep/a.txt", mode: 0o644, uid: 1000, gid: 1001 }),
    ]);
  });

  test("context files are root-owned by default; --chown by id and name:group", async () => {
    expect((await run({ sources: ["a.txt"], dest: "/a" }))[0]).toMatchObject({ uid: 0, gid: 0 });
    expect((await run({ sources: ["a.txt"], dest: "/a", chown: "12:34" }))[0]).toMatchObject({
      uid: 12,
      gid: 34,
    });
    expect((await run({ sources: ["a.txt"], dest: "/a", chown: "app:staff" }))[0]).toMatchObject({
      uid: 1000,
      gid: 50,
    });
    await expect(run({ sources: ["a.txt"], dest: "/a", chown: "ghost" })).rejects.toMatchObject({
      code: "ROOTFS_UNKNOWN_USER",
    });
  });

  test("--chmod applies to files and directories (symbolic and octal)", async () => {
    const seen = await run({ sources: ["src"], dest: "/code/", chmod: "go-rwx,u+x" });
    expect(seen.find((s) => s.path === "code/main.go")?.mode).toBe(0o700);
    expect(seen.find((s) => s.path === "code/lib")?.mode).toBe(0o700);
    expect((await run({ sources: ["a.txt"], dest: "/a", chmod: "640" }))[0].mode).toBe(0o640);
  });

  test("--exclude matches paths as laid out under the destination", async () => {
    const seen = shape(await run({ sources: ["src"], dest: "/code/", exclude: ["**/*_test.go"] }));
    expect(seen["code/lib/util.go"]).toBeDefined();
    expect(seen["code/lib/util_test.go"]).toBeUndefined();
    const wild = shape(await run({ sources: ["*.txt", "notes.md"], dest: "/d/", exclude: ["b.*"] }));
    expect(Object.keys(wild).sort()).toEqual(["d", "d/a.txt", "d/notes.md"]);
  });

  test("--exclude and .dockerignore agree: a ! line re-includes a file below an excluded directory", async () => {
    const tree: Record<string, TreeNode> = {
      "lib/keep.txt": "K",
      "lib/drop.txt": "D",
      lib: { dir: true, mode: 0o750 },
      "top.txt": "T",
    };
    const patterns = ["lib", "!lib/keep.txt"];
    // The context's rules as .dockerignore.
    const ignoring = tmp.make();
    writeTree(ignoring, { ...tree, ".dockerignore": patterns.join("\n") + "\n" });
    const ctx = await openContext(ignoring);
    const visible: string[] = [];
    for await (const f of ctx.walk(ctx.resolveSources(["."]))) visible.push(f.path);
    expect(visible.filter((p) => p !== ".dockerignore" && p !== ".").sort()).toEqual([
      "lib",
      "lib/keep.txt",
      "top.txt",
    ]);
    // The same patterns as COPY --exclude (before: lib/keep.txt was excluded with its directory).
    const root = tmp.make();
    const seen = await collect(
      copyLayerEntries(copyStep({ sources: ["."], dest: "/code/", exclude: patterns }), {
        context: await openContext(writeTree(path.join(root, "ctx"), tree)),
        destView: new LayerView([]),
        tmpDir: path.join(root, "tmp"),
        sourceDateEpoch: 1_700_000_000,
      }),
    );
    expect(shape(seen)).toEqual({
      code: "directory",
      "code/lib": "directory",
      "code/lib/keep.txt": "file:K",
      "code/top.txt": "file:T",
    });
    // The excluded directory that holds a re-included file keeps its own metadata.
    expect(seen.find((e) => e.path === "code/lib")?.mode).toBe(0o750);
  });

  test("--parents keeps the source path; /./ sets the pivot", async () => {
    expect(shape(await run({ sources: ["src/lib/*.go", "a.txt"], dest: "/p/", parents: true }))).toEqual({
      p: "directory",
      "p/a.txt": "file:A",
      "p/src": "directory",
      "p/src/lib": "directory",
      "p/src/lib/util.go": "file:package lib",
      "p/src/lib/util_test.go": "file:package lib_test",
    });
    expect(shape(await run({ sources: ["src/./lib/util.go"], dest: "/p/", parents: true }))).toEqual({
      p: "directory",
      "p/lib": "directory",
      "p/lib/util.go": "file:package lib",
    });
    expect(shape(await run({ sources: ["./src/lib"], dest: "/p", parents: true }))).toEqual({
      p: "directory",
      "p/src": "directory",
      "p/src/lib": "directory",
      "p/src/lib/util.go": "file:package lib",
      "p/src/lib/util_test.go": "file:package lib_test",
    });
  });

  test("--parents: a wildcard pivot, and ** below it at any depth (BuildKit's include patterns)", async () => {
    expect(shape(await run({ sources: ["s*c/./**/*.go"], dest: "/p/", parents: true }))).toEqual({
      p: "directory",
      "p/main.go": "file:package main",
      "p/lib": "directory",
      "p/lib/util.go": "file:package lib",
      "p/lib/util_test.go": "file:package lib_test",
    });
    // `**` matching no directory at all.
    expect(shape(await run({ sources: ["src/**/main.go"], dest: "/p/", parents: true }))).toEqual({
      p: "directory",
      "p/src": "directory",
      "p/src/main.go": "file:package main",
    });
    // Without --parents `**` is Go's filepath.Match `*`: exactly one directory.
    expect(shape(await run({ sources: ["src/**/util.go"], dest: "/p/" }))).toEqual({
      p: "directory",
      "p/util.go": "file:package lib",
    });
    expect(await run({ sources: ["src/**/main.go"], dest: "/p/" })).toEqual([]);
  });

  test("later sources overwrite earlier ones", async () => {
    const root = tmp.make();
    const context = await openContext(
      writeTree(path.join(root, "ctx"), { "one/f": "first", "two/f": "second" }),
    );
    const destView = new LayerView([]);
    const seen = await collect(
      copyLayerEntries(copyStep({ sources: ["one", "two"], dest: "/d/" }), {
        context,
        destView,
        tmpDir: root,
      }),
    );
    expect(shape(seen)).toEqual({ d: "directory", "d/f": "file:second" });
  });

  test("a missing source is a typed error from the context", async () => {
    await expect(run({ sources: ["nope.txt"], dest: "/" })).rejects.toMatchObject({
      code: "CONTEXT_SOURCE_NOT_FOUND",
    });
  });
});

describe("COPY --from a stage", () => {
  function stageView(): LayerView {
    const root = tmp.make();
    const lower = writeTree(path.join(root, "lower"), {
      "out/app": { file: "binary", mode: 0o755, uid: 1000, gid: 1000 },
      "out/deleted": "gone",
      "out/lib/libx.so": "lib",
      "etc/passwd": "stage passwd",
      "usr/lib/libz.so": "z",
    });
    const upper = writeTree(path.join(root, "upper"), {
      "out/deleted": { whiteout: true },
      "out/abs-link": { symlink: "/etc/passwd" },
      "out/escape": { symlink: "../../../../etc/passwd" },
      lib: { symlink: "usr/lib" },
    });
    return new LayerView([upper, lower]);
  }

  test("a directory copies its merged contents, whiteouts hidden, owners kept, links kept as links", async () => {
    const seen = await run(
      { sources: ["/out"], dest: "/srv/", source: { kind: "stage", stage: 0 } },
      { sourceView: stageView() },
    );
    expect(shape(seen)).toEqual({
      srv: "directory",
      "srv/abs-link": "->/etc/passwd",
      "srv/app": "file:binary",
      "srv/escape": "->../../../../etc/passwd",
      "srv/lib": "directory",
      "srv/lib/libx.so": "file:lib",
    });
    expect(seen.find((s) => s.path === "srv/app")).toMatchObject({ mode: 0o755, uid: 1000, gid: 1000 });
  });

  test("a symlinked source pointing outside is resolved inside the stage's root", async () => {
    const seen = await run(
      { sources: ["/out/escape"], dest: "/copied", source: { kind: "stage", stage: 0 } },
      { sourceView: stageView() },
    );
    expect(shape(seen)).toEqual({ copied: "file:stage passwd" });
  });

  test("wildcards are matched in the merged view; parents followed through symlinks", async () => {
    const seen = await run(
      { sources: ["/lib/*.so", "/out/*"], dest: "/d/", source: { kind: "stage", stage: 0 } },
      { sourceView: stageView() },
    );
    // A directory matched by a wildcard copies its contents (out/lib/libx.so → d/libx.so), as in Docker.
    expect(Object.keys(shape(seen)).sort()).toEqual([
      "d",
      "d/abs-link",
      "d/app",
      "d/escape",
      "d/libx.so",
      "d/libz.so",
    ]);
  });

  test("--chown overrides the stage's owners; --parents keeps the path", async () => {
    const seen = await run(
      {
        sources: ["/out/./lib/libx.so"],
        dest: "/p/",
        parents: true,
        chown: "5:6",
        source: { kind: "stage", stage: 0 },
      },
      { sourceView: stageView() },
    );
    expect(seen.map((s) => [s.path, s.uid, s.gid])).toEqual([
      ["p", 5, 6],
      ["p/lib", 5, 6],
      ["p/lib/libx.so", 5, 6],
    ]);
  });

  test("a missing source names the path", async () => {
    await expect(
      run(
        { sources: ["/out/deleted"], dest: "/x", source: { kind: "stage", stage: 0 } },
        { sourceView: stageView() },
      ),
    ).rejects.toMatchObject({
      code: "COPY_SOURCE_NOT_FOUND",
      message: expect.stringContaining("/out/deleted"),
    });
  });
});

describe("COPY from heredocs", () => {
  test("one heredoc to a file path, several into a directory, mode 0644", async () => {
    const one = await run({
      sources: [],
      dest: "/etc/motd",
      source: { kind: "heredoc", files: [{ name: "EOF", content: "hello\n" }] },
    });
    expect(one.find((s) => s.path === "etc/motd")).toMatchObject({
      type: "file",
      mode: 0o644,
      uid: 0,
      content: "hello\n",
    });
    const two = await run({
      sources: [],
      dest: "/h/",
      chmod: "755",
      source: {
        kind: "heredoc",
        files: [
          { name: "a.sh", content: "A" },
          { name: "b.sh", content: "B" },
        ],
      },
    });
    expect(shape(two)).toEqual({ h: "directory", "h/a.sh": "file:A", "h/b.sh": "file:B" });
    expect(two.find((s) => s.path === "h/a.sh")?.mode).toBe(0o755);
  });
});

describe("the destination of a directory's contents, and created parents (BuildKit)", () => {
  const stage = (): LayerView => {
    const root = tmp.make();
    return new LayerView([
      writeTree(path.join(root, "src"), {
        dir: { dir: true, mode: 0o700, uid: 100, gid: 200 },
        "dir/subdir": { dir: true, mode: 0o750, uid: 101, gid: 201 },
        "dir/subdir/nestedfile": { file: "n", uid: 102, gid: 202 },
      }),
    ]);
  };
  const from = { source: { kind: "stage", stage: 0 } as const };

  test("a missing destination is created 0755 root-owned, not with the source directory's metadata", async () => {
    const seen = await run({ sources: ["/dir"], dest: "/dir", ...from }, { sourceView: stage() });
    expect(seen.find((e) => e.path === "dir")).toMatchObject({ mode: 0o755, uid: 0, gid: 0 });
    // What is below keeps the source's owners.
    expect(seen.find((e) => e.path === "dir/subdir")).toMatchObject({ mode: 0o750, uid: 101, gid: 201 });
    // A context directory (0700 here) likewise.
    const ctxDir = await run({ sources: ["src"], dest: "/fresh" });
    expect(ctxDir.find((e) => e.path === "fresh")).toMatchObject({ mode: 0o755, uid: 0, gid: 0 });
  });

  test("with --chown the created destination is the user's; an existing one keeps its owner and mode", async () => {
    const created = await run(
      { sources: ["/dir"], dest: "/dir", chown: "300:400", ...from },
      { sourceView: stage() },
    );
    expect(created.find((e) => e.path === "dir")).toMatchObject({ mode: 0o755, uid: 300, gid: 400 });
    const existing = await run(
      { sources: ["/dir/."], dest: "/app", chown: "300:400", ...from },
      { sourceView: stage() },
    );
    expect(existing.find((e) => e.path === "app")).toMatchObject({ mode: 0o750, uid: 7, gid: 7 });
    expect(existing.find((e) => e.path === "app/subdir")).toMatchObject({ uid: 300, gid: 400 });
  });

  test("--chmod: created parents get its mode, the destination directory itself does not", async () => {
    const file = await run({ sources: ["a.txt"], dest: "/parent/sub/foo", chmod: "770" });
    expect(file.find((e) => e.path === "parent")).toMatchObject({ mode: 0o770 });
    expect(file.find((e) => e.path === "parent/sub")).toMatchObject({ mode: 0o770 });
    expect(file.find((e) => e.path === "parent/sub/foo")).toMatchObject({ mode: 0o770 });
    const dir = await run({ sources: ["src"], dest: "/code", chmod: "644" });
    expect(dir.find((e) => e.path === "code")).toMatchObject({ mode: 0o755 });
    expect(dir.find((e) => e.path === "code/main.go")).toMatchObject({ mode: 0o644 });
  });
});

describe("entries of context files", () => {
  test("name their host file and share one open function (no closure per file)", async () => {
    const root = tmp.make();
    const context = await openContext(writeTree(path.join(root, "ctx"), CONTEXT));
    const files: LayerEntry[] = [];
    const entries = copyLayerEntries(copyStep({ sources: ["src"], dest: "/code" }), {
      context,
      destView: new LayerView([writeTree(path.join(root, "dest"), DEST)]),
      tmpDir: path.join(root, "tmp"),
    });
    for await (const e of entries) if (e.type === "file") files.push(e);
    expect(files).toHaveLength(3);
    for (const f of files) {
      if (f.type !== "file") continue;
      expect(f.open).toBe(openContentPath);
      expect(f.contentPath).toMatch(/\/ctx\/src\//);
    }
  });
});
