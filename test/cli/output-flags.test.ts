import * as fs from "node:fs";
import * as path from "node:path";
import { parseAnnotation } from "../../src/engine/annotations";
import { parseOutputSpec } from "../../src/engine/output-spec";
import { UsageError } from "../../src/errors";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { PrivatePodman } from "../support/podman";
import {
  buildPlain,
  cli,
  helloDir,
  readLayoutIndex,
  readLayoutManifest,
  rm,
  skopeoInspect,
  tempDir,
} from "./helpers";

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
    const r = await buildPlain(
      cache,
      "-t",
      "localhost/team/app:1.0",
      "-o",
      `type=oci,dest=${archive}`,
      "-o",
      `type=oci,dest=${layout},tar=false`,
      helloDir,
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const index = readLayoutIndex(layout);
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
    const r = await buildPlain(
      cache,
      "-t",
      "ignored:x",
      "-o",
      `type=oci,dest=${archive},name=docker.io/me/named:2`,
      helloDir,
    );
    expect(r.status).toBe(0);
    expect(podman.load(archive)).toContain("docker.io/me/named:2");
  });
});

describe("--annotation", () => {
  test.each([
    ["org.example.a=1", [{ target: "manifest", key: "org.example.a", value: "1" }]],
    ["index:org.example.b=2", [{ target: "index", key: "org.example.b", value: "2" }]],
    [
      "index,manifest:k=v=w",
      [
        { target: "index", key: "k", value: "v=w" },
        { target: "manifest", key: "k", value: "v=w" },
      ],
    ],
    ["manifest[linux/arm64]:k=v", [{ target: "manifest", platform: "linux/arm64", key: "k", value: "v" }]],
    ["manifest-descriptor:k=", [{ target: "manifest-descriptor", key: "k", value: "" }]],
  ])("%s", (text, expected) => {
    expect(parseAnnotation(text)).toEqual(expected);
  });

  test.each([
    ["novalue", /is not \[TYPE:\]KEY=VALUE/],
    ["bogus:k=v", /unknown type "bogus"/],
    ["manifest:=v", /is not \[TYPE:\]KEY=VALUE|has no key/],
  ])("%s is a usage error", (text, message) => {
    expect(() => parseAnnotation(text)).toThrow(UsageError);
    expect(() => parseAnnotation(text)).toThrow(message);
  });

  test("manifest annotations are in the manifest (and its digest), index ones in index.json", async () => {
    const cache = tempDir("tsbuild-cli-cache-");
    const out = tempDir("tsbuild-cli-out-");
    try {
      const layout = path.join(out, "layout");
      const r = await buildPlain(
        cache,
        "-t",
        "annotated:1",
        "--annotation",
        "org.opencontainers.image.source=https://example.com/repo",
        "--annotation",
        "index:org.example.index=yes",
        "--annotation",
        "manifest-descriptor:org.example.desc=yes",
        "--annotation",
        "manifest[linux/s390x]:org.example.other=no",
        "--metadata-file",
        path.join(out, "meta.json"),
        "-o",
        `type=oci,dest=${layout},tar=false`,
        helloDir,
      );
      expect(r.status).toBe(0);
      const index = readLayoutIndex(layout);
      expect(index.annotations).toEqual({ "org.example.index": "yes" });
      expect(index.manifests[0]?.annotations?.["org.example.desc"]).toBe("yes");
      const digest = index.manifests[0]?.digest ?? "";
      const manifest = readLayoutManifest(layout, digest);
      expect(manifest.annotations).toEqual({ "org.opencontainers.image.source": "https://example.com/repo" });
      const meta = JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(meta["containerimage.digest"]).toBe(digest);
      // skopeo re-checks every digest of the layout.
      expect(skopeoInspect(`oci:${layout}`).Digest).toBe(digest);
    } finally {
      rm(cache, out);
    }
  });
});

describe("--load", () => {
  let podman: PrivatePodman;
  let cache: string;
  let confDir: string;
  const saved: Record<string, string | undefined> = {};
  const setEnv = (k: string, v: string): void => {
    if (!(k in saved)) saved[k] = process.env[k];
    process.env[k] = v;
  };
  beforeAll(() => {
    podman = new PrivatePodman();
    cache = tempDir("tsbuild-cli-cache-");
    confDir = tempDir("tsbuild-podman-conf-");
    // The same private storage PrivatePodman uses, for the `podman load` tsbuild runs.
    fs.writeFileSync(
      path.join(confDir, "storage.conf"),
      `[storage]\ndriver = "vfs"\ngraphroot = "${path.join(podman.dir, "root")}"\nrunroot = "${path.join(podman.dir, "runroot")}"\n`,
    );
    fs.writeFileSync(
      path.join(confDir, "containers.conf"),
      `[engine]\nevents_logger = "file"\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n`,
    );
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    podman.cleanup();
    rm(cache, confDir);
  });

  test("TSBUILD_LOAD=podman: --load pipes the image into podman load under its -t names", async () => {
    setEnv("CONTAINERS_STORAGE_CONF", path.join(confDir, "storage.conf"));
    setEnv("CONTAINERS_CONF", path.join(confDir, "containers.conf"));
    setEnv("TSBUILD_LOAD", "podman");
    const r = await buildPlain(cache, "-t", "localhost/loaded:3", "--load", helloDir);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(podman.podman(["images", "--format", "{{.Repository}}:{{.Tag}}"])).toContain("localhost/loaded:3");
    // -o type=docker without dest is the same load (buildx's spelling), with name= instead of -t.
    const viaOutput = await buildPlain(cache, "-o", "type=docker,name=localhost/loaded:4", helloDir);
    expect(viaOutput.status).toBe(0);
    expect(podman.podman(["images", "--format", "{{.Repository}}:{{.Tag}}"])).toContain("localhost/loaded:4");
    // And the local image store has -t as always.
    const listed = await cli("images", "--cache-dir", cache);
    expect(listed.stdout).toMatch(/localhost\/loaded\s+3/);
  });

  test("TSBUILD_LOAD=none stores only; a bad TSBUILD_LOAD fails the build", async () => {
    setEnv("TSBUILD_LOAD", "none");
    const none = await buildPlain(cache, "--load", helloDir);
    expect(none.status).toBe(0);
    expect(none.stderr).not.toContain("LoadNoEngine");
    setEnv("TSBUILD_LOAD", "rkt");
    const bad = await buildPlain(cache, "--load", helloDir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('TSBUILD_LOAD: "rkt" is not podman, docker or none');
  });
});
