import * as fs from "node:fs";
import * as path from "node:path";
import { parseOutputSpec } from "../../src/engine/output-spec";
import { UsageError } from "../../src/errors";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { PrivatePodman } from "../support/podman";
import { cli, helloDir, rm, tempDir } from "./helpers";

afterAll(() => closeDeflatePool());

describe("-o keys", () => {
  test.each([
    [
      "type=oci,dest=x.tar,bogus=1",
      /--output type=oci: unknown key "bogus" \(expected type, dest, tar, name/,
    ],
    ["type=local,dest=d,tar=false", /--output type=local: unknown key "tar"/],
    [
      "type=docker,dest=x,annotation.a=b",
      /type=docker: key "annotation.a" is not supported \(use --annotation\)/,
    ],
    ["type=image,name=x,unpack=true", /type=image: key "unpack" is not supported/],
    ["type=oci,dest=x,tar=maybe", /type=oci: tar="maybe" is not true or false/],
    ["type=registry,name=x,push=false", /push=false contradicts/],
    ["type=oci,dest=x,oci-mediatypes=false", /oci-mediatypes=false is not supported/],
  ])("%s is a usage error naming the key and the type", (text, message) => {
    expect(() => parseOutputSpec(text)).toThrow(UsageError);
    expect(() => parseOutputSpec(text)).toThrow(message);
  });

  test("known keys parse; type=docker without dest is a load", () => {
    expect(parseOutputSpec("type=oci,dest=x.tar,tar=false,name=a:1")).toEqual({
      type: "oci",
      dest: "x.tar",
      tar: false,
      names: ["a:1"],
    });
    expect(parseOutputSpec("type=image,name=r/x:1,push=true,oci-mediatypes=true")).toEqual({
      type: "image",
      push: true,
      names: ["r/x:1"],
    });
    expect(parseOutputSpec("type=docker")).toEqual({ type: "load" });
    expect(parseOutputSpec("type=docker,name=a")).toEqual({ type: "load", names: ["a"] });
  });

  test("the CLI exits 2 on an unknown key, before building", async () => {
    const r = await cli("build", "-o", "type=oci,dest=/nonexistent/x.tar,colour=blue", helloDir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--output type=oci: unknown key "colour"');
  });
});

describe("OCI archive and layout names (podman load)", () => {
  let cache: string;
  let out: string;
  let podman: PrivatePodman;
  beforeAll(() => {
    cache = tempDir("tsbuild-cli-cache-");
    out = tempDir("tsbuild-cli-out-");
    podman = new PrivatePodman();
  });
  afterAll(() => {
    podman.cleanup();
    rm(cache, out);
  });

  test("index.json carries io.containerd.image.name beside ref.name; podman load names the image by it", async () => {
    const archive = path.join(out, "app.oci.tar");
    const layout = path.join(out, "layout");
    const r = await cli(
      "build",
      "-t",
      "localhost/team/app:1.0",
      "-o",
      `type=oci,dest=${archive}`,
      "-o",
      `type=oci,dest=${layout},tar=false`,
      "--progress",
      "plain",
      "--cache-dir",
      cache,
      helloDir,
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const index = JSON.parse(fs.readFileSync(path.join(layout, "index.json"), "utf8")) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    expect(index.manifests[0]?.annotations).toEqual({
      "io.containerd.image.name": "localhost/team/app:1.0",
      "org.opencontainers.image.ref.name": "1.0",
    });
    expect(podman.load(archive)).toContain("localhost/team/app:1.0");
    expect(podman.podman(["images", "--format", "{{.Repository}}:{{.Tag}}"])).toContain(
      "localhost/team/app:1.0",
    );
  });

  test("name= on the output names the archive instead of -t", async () => {
    const archive = path.join(out, "named.oci.tar");
    const r = await cli(
      "build",
      "-t",
      "ignored:x",
      "-o",
      `type=oci,dest=${archive},name=docker.io/me/named:2`,
      "--progress",
      "plain",
      "--cache-dir",
      cache,
      helloDir,
    );
    expect(r.status).toBe(0);
    expect(podman.load(archive)).toContain("docker.io/me/named:2");
  });
});
