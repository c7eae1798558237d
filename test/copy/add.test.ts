import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { openContext } from "../../src/context";
import { copyLayerEntries } from "../../src/copy/copy-layer";
import { fileName } from "../../src/copy/download";
import { LayerView } from "../../src/rootfs/layer-view";
import type { CopySpec } from "../../src/copy/copy-spec";
import { TempDirs, collect, copyStep, shape, writeTree } from "./support";

const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

/** A context holding one tar of `payload/` in each compression, made with the real CLIs. */
function archiveContext(): string {
  const root = tmp.make();
  const src = writeTree(path.join(root, "src"), {
    "payload/hello.txt": "hello from the archive",
    "payload/bin/tool": { file: "#!/bin/sh", mode: 0o755, uid: 1234, gid: 4321 },
    "payload/link": { symlink: "hello.txt" },
  });
  const ctx = path.join(root, "ctx");
  fs.mkdirSync(ctx);
  execFileSync("tar", ["-cf", path.join(ctx, "plain.tar"), "-C", src, "payload"]);
  for (const [tool, ext] of [
    ["gzip", "gz"],
    ["bzip2", "bz2"],
    ["xz", "xz"],
    ["zstd", "zst"],
  ]) {
    fs.writeFileSync(
      path.join(ctx, `data.tar.${ext}`),
      execFileSync(tool, ["-c", path.join(ctx, "plain.tar")]),
    );
  }
  fs.writeFileSync(path.join(ctx, "not-an-archive.tar.gz"), "just text with a misleading name");
  fs.writeFileSync(
    path.join(ctx, "gzipped.txt.gz"),
    execFileSync("gzip", ["-c"], { input: "compressed text, no tar" }),
  );
  return ctx;
}

async function add(ctxDir: string, partial: Partial<CopySpec> & Pick<CopySpec, "sources" | "dest">) {
  const context = await openContext(ctxDir);
  const step = copyStep({ instruction: "ADD", unpack: true, ...partial });
  return collect(
    copyLayerEntries(step, {
      context,
      destView: new LayerView([]),
      tmpDir: tmp.make(),
      sourceDateEpoch: 1_700_000_000,
    }),
  );
}

describe("ADD of local archives", () => {
  let ctx: string;
  beforeAll(() => {
    ctx = archiveContext();
  });

  test.each(["plain.tar", "data.tar.gz", "data.tar.bz2", "data.tar.xz", "data.tar.zst"])(
    "%s is extracted under the destination",
    async (name) => {
      const seen = await add(ctx, { sources: [name], dest: "/opt/x" });
      expect(shape(seen)).toEqual({
        opt: "directory",
        "opt/x": "directory",
        "opt/x/payload": "directory",
        "opt/x/payload/bin": "directory",
        "opt/x/payload/bin/tool": "file:#!/bin/sh",
        "opt/x/payload/hello.txt": "file:hello from the archive",
        "opt/x/payload/link": "->hello.txt",
      });
      // The archive's owners and modes are kept (no --chown).
      expect(seen.find((s) => s.path === "opt/x/payload/bin/tool")).toMatchObject({
        mode: 0o755,
        uid: 1234,
        gid: 4321,
      });
    },
  );

  test("an archive entry with a .wh. name is refused: in the layer it would be a whiteout", async () => {
    const src = writeTree(path.join(tmp.make(), "src"), { "payload/.wh.passwd": "plain file" });
    fs.mkdirSync(path.join(ctx, "wh"), { recursive: true });
    execFileSync("tar", ["-czf", path.join(ctx, "wh", "wh.tar.gz"), "-C", src, "payload"]);
    await expect(add(ctx, { sources: ["wh/wh.tar.gz"], dest: "/x/" })).rejects.toMatchObject({
      code: "UNPACK_WHITEOUT_NAME",
      message: expect.stringMatching(/archive entry "payload\/\.wh\.passwd" is named like a whiteout/),
    });
  });

  test("--chown applies to extracted entries", async () => {
    const seen = await add(ctx, { sources: ["data.tar.gz"], dest: "/x/", chown: "7:8" });
    expect(seen.every((s) => s.uid === 7 && s.gid === 8)).toBe(true);
  });

  test("content decides, not the name: non-archives are copied as files", async () => {
    expect(
      shape(await add(ctx, { sources: ["not-an-archive.tar.gz", "gzipped.txt.gz"], dest: "/d/" })),
    ).toMatchObject({
      d: "directory",
      "d/not-an-archive.tar.gz": "file:just text with a misleading name",
    });
    const gz = await add(ctx, { sources: ["gzipped.txt.gz"], dest: "/f.gz" });
    expect(gz.map((s) => s.path)).toEqual(["f.gz"]);
  });

  test("--unpack=false copies the archive as is", async () => {
    const seen = await add(ctx, { sources: ["data.tar.gz"], dest: "/d/", unpack: false });
    expect(seen.map((s) => [s.path, s.type])).toEqual([
      ["d", "directory"],
      ["d/data.tar.gz", "file"],
    ]);
  });

  test("COPY never extracts", async () => {
    const seen = await add(ctx, {
      instruction: "COPY",
      sources: ["plain.tar"],
      dest: "/p.tar",
    });
    expect(seen.map((s) => s.path)).toEqual(["p.tar"]);
  });

  // A gzip cut short inside a file's data once left applyArchive waiting forever.
  test("a corrupt compressed archive is a typed error", async () => {
    const bad = tmp.make();
    const good = fs.readFileSync(path.join(ctx, "data.tar.gz"));
    fs.writeFileSync(path.join(bad, "broken.tar.gz"), good.subarray(0, Math.floor(good.length * 0.6)));
    await expect(add(bad, { sources: ["broken.tar.gz"], dest: "/x/" })).rejects.toMatchObject({
      code: expect.stringMatching(/^UNPACK_/),
    });
  });
});

describe("ADD of URLs", () => {
  const body = "downloaded content\n".repeat(1000);
  const sha256 = createHash("sha256").update(body).digest("hex");
  let server: http.Server;
  let base: string;
  let tarGz: Buffer;

  beforeAll(async () => {
    tarGz = fs.readFileSync(path.join(archiveContext(), "data.tar.gz"));
    server = http.createServer((req, res) => {
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "/files/tool.sh" });
        res.end();
      } else if (req.url === "/files/tool.sh") {
        res.writeHead(200, { "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" });
        res.end(body);
      } else if (req.url === "/") {
        res.writeHead(200, { "content-disposition": 'attachment; filename="from-header.txt"' });
        res.end(body);
      } else if (req.url === "/data.tar.gz") {
        res.end(tarGz);
      } else {
        res.writeHead(404);
        res.end("missing");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function addUrl(partial: Partial<CopySpec> & Pick<CopySpec, "sources" | "dest">) {
    const step = copyStep({ instruction: "ADD", source: { kind: "url" }, ...partial });
    return collect(
      copyLayerEntries(step, {
        destView: new LayerView([]),
        tmpDir: tmp.make(),
        sourceDateEpoch: 1_700_000_000,
      }),
    );
  }

  test("downloads into dest/<name>, mode 0600, mtime from Last-Modified, redirects followed", async () => {
    const step = copyStep({
      instruction: "ADD",
      source: { kind: "url" },
      sources: [`${base}/redirect`],
      dest: "/dl/",
    });
    const entries = [];
    for await (const e of copyLayerEntries(step, { destView: new LayerView([]), tmpDir: tmp.make() }))
      entries.push(e);
    const file = entries.find((e) => e.path === "dl/redirect");
    expect(file).toMatchObject({
      type: "file",
      mode: 0o600,
      uid: 0,
      gid: 0,
      mtimeMs: Date.parse("2015-10-21T07:28:00Z"),
    });
  });

  test("a good --checksum passes; the content is intact", async () => {
    const seen = await addUrl({
      sources: [`${base}/files/tool.sh`],
      dest: "/usr/local/bin/tool",
      checksum: `sha256:${sha256}`,
    });
    expect(seen.find((s) => s.path === "usr/local/bin/tool")?.content).toBe(body);
  });

  test("a bad --checksum is a typed error naming the URL", async () => {
    await expect(
      addUrl({ sources: [`${base}/files/tool.sh`], dest: "/t", checksum: `sha256:${"0".repeat(64)}` }),
    ).rejects.toMatchObject({
      code: "COPY_CHECKSUM_MISMATCH",
      message: expect.stringContaining(`${base}/files/tool.sh`),
    });
    const sha512 = createHash("sha512").update(body).digest("hex");
    expect(
      await addUrl({ sources: [`${base}/files/tool.sh`], dest: "/t", checksum: `sha512:${sha512}` }),
    ).toHaveLength(1);
    await expect(
      addUrl({ sources: [`${base}/files/tool.sh`], dest: "/t", checksum: "md5:abc" }),
    ).rejects.toMatchObject({ code: "COPY_BAD_CHECKSUM" });
  });

  test("an error status is a typed error", async () => {
    await expect(addUrl({ sources: [`${base}/nope`], dest: "/t" })).rejects.toMatchObject({
      code: "COPY_DOWNLOAD_FAILED",
      message: expect.stringContaining("404"),
    });
  });

  test("no name in the URL path: Content-Disposition names the file", async () => {
    expect((await addUrl({ sources: [`${base}/`], dest: "/d/" })).map((s) => s.path)).toEqual([
      "d",
      "d/from-header.txt",
    ]);
    expect(fileName("http://h/", null)).toBe("__unnamed__");
    expect(fileName("http://h/a%20b.txt?x=1", null)).toBe("a b.txt");
    expect(fileName("http://h/", "attachment; filename*=UTF-8''%C3%A9t%C3%A9.txt")).toBe("été.txt");
    expect(fileName("http://h/", 'attachment; filename="../../etc/passwd"')).toBe("passwd");
  });

  test("URL archives are extracted only with an explicit --unpack=true", async () => {
    expect((await addUrl({ sources: [`${base}/data.tar.gz`], dest: "/d/" })).map((s) => s.path)).toEqual([
      "d",
      "d/data.tar.gz",
    ]);
    const unpacked = shape(await addUrl({ sources: [`${base}/data.tar.gz`], dest: "/d/", unpack: true }));
    expect(unpacked["d/payload/hello.txt"]).toBe("file:hello from the archive");
  });

  test("Git URLs are a clear not-supported error", async () => {
    await expect(
      addUrl({ sources: ["https://example.invalid/repo.git"], dest: "/src" }),
    ).rejects.toMatchObject({ code: "COPY_GIT_UNSUPPORTED" });
  });
});
