import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { writeLocal } from "../../src/output/local";
import { writeRootfsTar } from "../../src/output/rootfs-tar";
import { readTar } from "../image/tar-helpers";
import { twoLayerImage } from "./images";

afterAll(() => closeDeflatePool());

describe("flattened root filesystem outputs", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-rootfs-out-"));
    fs.mkdirSync(path.join(tmp, "blobs"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("type=tar applies whiteouts and opaque directories; upper layers win", async () => {
    const image = await twoLayerImage(path.join(tmp, "blobs"));
    const out = path.join(tmp, "rootfs.tar");
    await writeRootfsTar(image, out);
    const entries = await readTar(fs.createReadStream(out));
    const names = entries.map((e) => e.name).sort();
    expect(names).toEqual(["data/", "data/fresh", "etc/", "etc/keep", "etc/new"]);
    expect(entries.find((e) => e.name === "etc/keep")?.content.toString()).toBe("kept\n");
    expect(fs.readdirSync(tmp).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  it("type=local unpacks the layers in order through the unpacker", async () => {
    const image = await twoLayerImage(path.join(tmp, "blobs"));
    const out = path.join(tmp, "local");
    await writeLocal(image, out);
    const tree: string[] = [];
    for (const d of fs.readdirSync(out).sort()) {
      tree.push(d);
      for (const f of fs.readdirSync(path.join(out, d)).sort()) tree.push(`${d}/${f}`);
    }
    expect(tree).toEqual(["data", "data/fresh", "etc", "etc/keep", "etc/new"]);
    expect(fs.readFileSync(path.join(out, "etc/new"), "utf8")).toBe("hello\n");
  });
});

describe("docker archive tags", () => {
  it("normalizes names to name:latest and rejects bad references", async () => {
    const { normalizeRepoTag } = await import("../../src/output/docker-archive");
    const { InvalidTagError } = await import("../../src/output/errors");
    expect(normalizeRepoTag("localhost:5000/app")).toBe("localhost:5000/app:latest");
    expect(normalizeRepoTag("app:1.0")).toBe("app:1.0");
    expect(() => normalizeRepoTag("Bad Name")).toThrow(InvalidTagError);
  });
});
