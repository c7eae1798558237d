import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { writeDockerArchive } from "../../src/output/docker-archive";
import { writeOciArchive } from "../../src/output/oci-archive";
import { PrivatePodman } from "../support/podman";
import { busyboxImage } from "./images";

afterAll(() => closeDeflatePool());

describe("podman load + run of tsbuild archives", () => {
  let tmp: string;
  let podman: PrivatePodman;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-podman-out-"));
    podman = new PrivatePodman();
  });
  afterEach(() => {
    podman.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs the busybox image from an OCI archive", async () => {
    fs.mkdirSync(path.join(tmp, "blobs"));
    const image = await busyboxImage(path.join(tmp, "blobs"));
    const archive = path.join(tmp, "oci.tar");
    await writeOciArchive(image, archive, { refName: "localhost/tsbuild-bb:oci" });
    const loaded = podman.load(archive);
    const id = /Loaded image(?:\(s\))?: (\S+)/.exec(loaded)?.[1];
    expect(id).toBeDefined();
    expect(podman.run(id!)).toBe("hello\n");
  });

  it("runs the busybox image from a Docker archive, under its RepoTag", async () => {
    fs.mkdirSync(path.join(tmp, "blobs"));
    const image = await busyboxImage(path.join(tmp, "blobs"));
    const archive = path.join(tmp, "docker.tar");
    await writeDockerArchive(image, archive, { tags: ["localhost/tsbuild-bb"] });
    expect(podman.load(archive)).toContain("localhost/tsbuild-bb:latest");
    expect(podman.run("localhost/tsbuild-bb:latest")).toBe("hello\n");
    expect(podman.run("localhost/tsbuild-bb:latest", ["/bin/busybox", "cat", "/proc/1/cmdline"])).toContain(
      "cat",
    );
  });
});
