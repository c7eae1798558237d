import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { openContext } from "../../src/context/build-context";
import { readDockerfileFile } from "../../src/context/dockerfile-file";
import { ContextError } from "../../src/context/errors";
import { makeTemp, removeTemp, writeTree } from "./tree-fixture";

async function contextError(p: Promise<unknown>): Promise<ContextError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContextError);
  return err as ContextError;
}

describe("the default Dockerfile must lie inside the context", () => {
  let dir: string;
  let outside: string;
  let secret: string;
  beforeEach(() => {
    dir = makeTemp();
    outside = makeTemp("tsbuild-outside-");
    secret = path.join(outside, "secret");
    fs.writeFileSync(secret, "root:$6$hash:19000:0:99999:7:::\n");
  });
  afterEach(() => {
    removeTemp(dir);
    removeTemp(outside);
  });

  const read = (rel: string, explicit = false) => readDockerfileFile(dir, path.join(dir, rel), explicit, rel);

  it.each([
    ["an absolute symlink out", true],
    ["a relative symlink out", false],
  ])("%s is refused without reading it", async (_what, absolute) => {
    fs.symlinkSync(absolute ? secret : path.relative(dir, secret), path.join(dir, "Dockerfile"));
    const err = await contextError(read("Dockerfile"));
    expect(err.code).toBe("CONTEXT_DOCKERFILE_OUTSIDE");
    expect(err.message).toContain("outside the build context");
    expect(err.message).toContain("name it with -f");
    expect(err.message).not.toContain("root:");
  });

  it("a chain of symlinks that ends outside is refused; one that stays inside is fine", async () => {
    writeTree(dir, {
      "sub/real": "FROM scratch\n",
      hop1: { link: "sub/hop2" },
      "sub/hop2": { link: secret },
      inside: { link: "sub/real" },
    });
    expect((await contextError(read("hop1"))).code).toBe("CONTEXT_DOCKERFILE_OUTSIDE");
    expect((await read("inside")).bytes.toString()).toBe("FROM scratch\n");
  });

  it("named explicitly (-f), a file outside may be read", async () => {
    fs.symlinkSync(secret, path.join(dir, "Dockerfile"));
    expect((await read("Dockerfile", true)).realPath).toBe(fs.realpathSync(secret));
  });

  it("a symlink loop, a FIFO, a directory and a device are clear errors, never a hang", async () => {
    writeTree(dir, { "loop-a": { link: "loop-b" }, "loop-b": { link: "loop-a" }, "d/x": "" });
    fs.symlinkSync("/dev/zero", path.join(dir, "zero"));
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    expect((await contextError(read("loop-a"))).message).toMatch(/ELOOP/);
    expect((await contextError(read("fifo"))).message).toContain("not a regular file (a FIFO)");
    expect((await contextError(read("d", true))).message).toContain("not a regular file (a directory)");
    expect((await contextError(read("zero", true))).message).toContain("a character device");
    expect((await contextError(read("zero"))).code).toBe("CONTEXT_DOCKERFILE_OUTSIDE");
    expect((await contextError(read("missing"))).message).toBe("read Dockerfile missing: no such file");
  });
});

describe("context file names that are not valid UTF-8", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTemp();
    writeTree(dir, { "sub/ok": "x", "keep/a": "y" });
    const bad = Buffer.concat([Buffer.from(`${dir}/sub/x`), Buffer.from([0xff]), Buffer.from("y")]);
    fs.writeFileSync(bad, "bad");
  });
  afterEach(() => removeTemp(dir));

  it("is a clear error naming the bytes, not a silently missing file", async () => {
    const ctx = await openContext(dir);
    const err = await contextError(ctx.files(ctx.resolveSources(["."])));
    expect(err.code).toBe("CONTEXT_BAD_NAME");
    expect(err.message).toContain("sub/x\\xffy is not valid UTF-8");
    // A COPY that does not reach it is unaffected.
    expect((await ctx.files(ctx.resolveSources(["keep"]))).map((f) => f.path)).toEqual([".", "a"]);
  });

  it("excluded by .dockerignore, it is harmless", async () => {
    fs.writeFileSync(path.join(dir, ".dockerignore"), "sub/x*\n");
    const ctx = await openContext(dir);
    const files = await ctx.files(ctx.resolveSources(["sub"]));
    expect(files.map((f) => f.path)).toEqual([".", "ok"]);
  });

  it("a name holding a real U+FFFD (valid UTF-8) is an ordinary file", async () => {
    fs.writeFileSync(path.join(dir, "keep/\uFFFD"), "z");
    const ctx = await openContext(dir);
    expect((await ctx.files(ctx.resolveSources(["keep"]))).map((f) => f.path)).toEqual([".", "a", "\uFFFD"]);
  });
});
