import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { digestStream, sha256Digest } from "../../src/image/digest";
import { configBlob, imageDigest, manifestBlob } from "../../src/image/image";
import type { OciIndex, OciManifest } from "../../src/image/manifest";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { writeOciArchive } from "../../src/output/oci-archive";
import { writeOciLayout } from "../../src/output/oci-layout";
import { CREATED, twoLayerImage } from "./images";

afterAll(() => closeDeflatePool());

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      out.push(path.relative(root, full));
      if (fs.lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

describe("OCI archive and layout outputs", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-oci-out-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("writes a layout whose every blob re-hashes to its name, with the tag annotation", async () => {
    fs.mkdirSync(path.join(tmp, "blobs"));
    const image = await twoLayerImage(path.join(tmp, "blobs"));
    const layout = path.join(tmp, "layout");
    await writeOciLayout(image, layout, { refName: "v1" });
    expect(JSON.parse(fs.readFileSync(path.join(layout, "oci-layout"), "utf8"))).toEqual({
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(fs.readFileSync(path.join(layout, "index.json"), "utf8")) as OciIndex;
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.annotations).toEqual({ "org.opencontainers.image.ref.name": "v1" });
    expect(index.manifests[0]?.digest).toBe(await imageDigest(image));
    for (const name of fs.readdirSync(path.join(layout, "blobs/sha256"))) {
      const { digest, size } = await digestStream(
        fs.createReadStream(path.join(layout, "blobs/sha256", name)),
      );
      expect(digest).toBe(`sha256:${name}`);
      expect(size).toBeGreaterThan(0);
    }
    const manifest = JSON.parse(
      fs.readFileSync(path.join(layout, "blobs/sha256", index.manifests[0].digest.slice(7)), "utf8"),
    ) as OciManifest;
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+gzip",
    ]);
    const config = JSON.parse(configBlob(image).toString());
    expect(Object.keys(config)).toEqual(["architecture", "config", "created", "history", "os", "rootfs"]);
    expect(config.rootfs.diff_ids).toEqual([await image.layers[0].diffId(), await image.layers[1].diffId()]);
    expect(config.created).toBe(CREATED);
  });

  it("is accepted by skopeo inspect and skopeo copy (which re-checks every digest)", async () => {
    fs.mkdirSync(path.join(tmp, "blobs"));
    const image = await twoLayerImage(path.join(tmp, "blobs"));
    const archive = path.join(tmp, "image.tar");
    await writeOciArchive(image, archive, { refName: "latest" });
    const info = JSON.parse(sh("skopeo", ["inspect", `oci-archive:${archive}`])) as {
      Digest: string;
      Layers: string[];
      Architecture: string;
      Os: string;
      Env: string[];
    };
    expect(info.Digest).toBe(await imageDigest(image));
    expect(info.Layers).toEqual([await image.layers[0].digest(), await image.layers[1].digest()]);
    expect(info.Architecture).toBe("amd64");
    expect(info.Os).toBe("linux");
    sh("skopeo", ["copy", `oci-archive:${archive}:latest`, `oci:${path.join(tmp, "copied")}:latest`]);
    const copiedIndex = JSON.parse(fs.readFileSync(path.join(tmp, "copied/index.json"), "utf8")) as OciIndex;
    expect(copiedIndex.manifests[0]?.digest).toBe(sha256Digest(await manifestBlob(image)));
  });

  it("unpacks with umoci: whiteouts and opaque dirs applied, no .wh. files left", async () => {
    fs.mkdirSync(path.join(tmp, "blobs"));
    const image = await twoLayerImage(path.join(tmp, "blobs"));
    const layout = path.join(tmp, "layout");
    await writeOciLayout(image, layout, { refName: "t" });
    const bundle = path.join(tmp, "bundle");
    sh("umoci", ["unpack", "--image", `${layout}:t`, bundle]);
    const rootfs = path.join(bundle, "rootfs");
    expect(listTree(rootfs)).toEqual(["data", "data/fresh", "etc", "etc/keep", "etc/new"]);
    expect(fs.readFileSync(path.join(rootfs, "etc/keep"), "utf8")).toBe("kept\n");
    expect(listTree(rootfs).some((p) => path.basename(p).startsWith(".wh."))).toBe(false);
  });

  it("exports byte-identical archives for the same inputs (fixed created + mtime clamp)", async () => {
    const a = path.join(tmp, "a");
    const b = path.join(tmp, "b");
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    await writeOciArchive(await twoLayerImage(a), path.join(tmp, "a.tar"), { refName: "latest" });
    await writeOciArchive(await twoLayerImage(b), path.join(tmp, "b.tar"), { refName: "latest" });
    const ha = await digestStream(fs.createReadStream(path.join(tmp, "a.tar")));
    const hb = await digestStream(fs.createReadStream(path.join(tmp, "b.tar")));
    expect(ha).toEqual(hb);
    // tar tools read it, and the layout is all there.
    const names = sh("tar", ["-tf", path.join(tmp, "a.tar")])
      .trim()
      .split("\n");
    expect(names).toEqual(expect.arrayContaining(["oci-layout", "index.json", "blobs/", "blobs/sha256/"]));
  });
});
