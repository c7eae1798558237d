import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cli, helloDir, rm, skopeoInspect, tempDir, tempTree } from "./helpers";

/** Store commands on a cache holding fixtures/hello as hello:latest (plus a second tag). */
describe("image store commands", () => {
  let cache: string;
  let out: string;
  let id: string;
  let digest: string;
  beforeAll(async () => {
    cache = tempDir("tsbuild-cli-store-");
    const meta = path.join(cache, "..", `${path.basename(cache)}-meta.json`);
    const r = await cli(
      "-q",
      "-t",
      "hello",
      "-t",
      "localhost:5000/team/hello:v1",
      "--metadata-file",
      meta,
      "--cache-dir",
      cache,
      helloDir,
    );
    expect(r.status).toBe(0);
    id = r.stdout.trim();
    digest = (JSON.parse(fs.readFileSync(meta, "utf8")) as Record<string, string>)["containerimage.digest"];
    fs.rmSync(meta);
  });
  afterAll(() => rm(cache));
  beforeEach(() => {
    out = tempDir("tsbuild-cli-out-");
  });
  afterEach(() => rm(out));

  test("images lists REPOSITORY TAG IMAGE ID CREATED SIZE like docker images", async () => {
    const r = await cli("images", "--cache-dir", cache);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(lines).toHaveLength(3);
    const short = id.slice(7, 19);
    expect(r.stdout).toMatch(
      new RegExp(
        `^hello\\s+latest\\s+${short}\\s+(Less than a second|\\d+ seconds?) ago\\s+\\d+(\\.\\d+)?k?B$`,
        "m",
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`^localhost:5000/team/hello\\s+v1\\s+${short}\\s`, "m"));
    // Columns line up: IMAGE ID starts at the same offset on every line.
    const offsets = lines.map((l) => l.indexOf(l.startsWith("REPO") ? "IMAGE ID" : short));
    expect(new Set(offsets).size).toBe(1);
    const q = await cli("images", "-q", "--cache-dir", cache);
    expect(q.stdout).toBe(`${short}\n`);
    const filtered = await cli("images", "hello", "--cache-dir", cache);
    expect(filtered.stdout.trimEnd().split("\n")).toHaveLength(2);
  });

  test("inspect prints the manifest and config as JSON, by tag, short ID or digest", async () => {
    for (const ref of ["hello", "hello:latest", id.slice(7, 19), digest]) {
      const r = await cli("inspect", ref, "--cache-dir", cache);
      expect(r.status).toBe(0);
      const [image] = JSON.parse(r.stdout) as Array<
        Record<string, unknown> & {
          config: { config: { Labels: object } };
          manifest: { config: { digest: string } };
        }
      >;
      expect(image).toMatchObject({ id, digest, tags: ["hello:latest", "localhost:5000/team/hello:v1"] });
      expect(image?.manifest.config.digest).toBe(id);
      expect(image?.config.config.Labels).toEqual({
        "org.opencontainers.image.title": "tsbuild hello",
        greeting: "hello",
      });
    }
    const missing = await cli("inspect", "nope", "--cache-dir", cache);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("error: find image nope: no such image in the local store\n");
  });

  test("history lists the config history newest first, like docker history", async () => {
    const r = await cli("history", "hello", "--cache-dir", cache);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(lines).toHaveLength(8); // header + CMD, EXPOSE, WORKDIR, ENV, LABEL, COPY, ARG (as BuildKit)
    expect(lines[1]).toMatch(
      new RegExp(
        `^${id.slice(7, 19)}\\s+.* ago\\s+CMD \\["/bin/httpd" "-f" "-p" "8080" "-h" "/sr…\\s+0B\\s+buildkit.dockerfile.v0$`,
      ),
    );
    expect(lines[6]).toMatch(
      /^<missing>\s+.* ago\s+COPY site\/ \/srv\/www\/ # buildkit\s+[\d.]+k?B\s+buildkit.dockerfile.v0$/,
    );
    expect(lines[5]).toMatch(/LABEL .*\s0B\s/);
    expect(lines[7]).toMatch(/^<missing>\s+.* ago\s+ARG GREETING=hello\s+0B\s+buildkit.dockerfile.v0$/);
    const full = await cli("history", "--no-trunc", "hello", "--cache-dir", cache);
    expect(full.stdout).toContain(id);
    expect(full.stdout).toContain('CMD ["/bin/httpd" "-f" "-p" "8080" "-h" "/srv/www"]'); // BuildKit's %q list
  });

  test("save writes OCI and Docker archives with the built image's digests", async () => {
    const oci = path.join(out, "hello.oci.tar");
    const docker = path.join(out, "hello.docker.tar");
    expect((await cli("save", "hello", "-o", oci, "--cache-dir", cache)).status).toBe(0);
    expect(
      (await cli("save", "hello", "-o", docker, "--format", "docker", "--cache-dir", cache)).status,
    ).toBe(0);
    expect(skopeoInspect(`oci-archive:${oci}`).Digest).toBe(digest);
    expect(skopeoInspect(`oci-archive:${oci}`, "--config").config).toMatchObject({ WorkingDir: "/srv/www" });
    const dockerInfo = skopeoInspect(`docker-archive:${docker}`);
    expect(dockerInfo.Labels).toMatchObject({ greeting: "hello" });
    expect(
      (skopeoInspect(`docker-archive:${docker}`, "--config") as { rootfs: { diff_ids: string[] } }).rootfs
        .diff_ids,
    ).toHaveLength(2); // COPY's layer and WORKDIR's empty one (BuildKit commits one for any WORKDIR but /)
    const listing = execFileSync("tar", ["-tf", docker], { encoding: "utf8" });
    expect(listing).toContain("manifest.json");
    // umoci can unpack the OCI archive's content: the COPY'd files are there.
    const layout = path.join(out, "layout");
    fs.mkdirSync(layout);
    execFileSync("tar", ["-xf", oci, "-C", layout]);
    execFileSync("umoci", ["unpack", "--rootless", "--image", `${layout}:latest`, path.join(out, "bundle")], {
      stdio: "pipe",
    });
    expect(fs.readdirSync(path.join(out, "bundle", "rootfs", "srv", "www")).length).toBeGreaterThan(0);
    const bad = await cli("save", "hello", "-o", oci, "--format", "zip", "--cache-dir", cache);
    expect(bad.status).toBe(2);
  });

  test("rmi untags; an ID with several tags needs -f; blobs stay until prune", async () => {
    const store = tempDir("tsbuild-cli-rmi-");
    try {
      const built = await cli("-q", "-t", "a", "-t", "b", "-t", "c", "--cache-dir", store, helloDir);
      const short = built.stdout.trim().slice(7, 19);
      const one = await cli("rmi", "a", "--cache-dir", store);
      expect(one).toMatchObject({ status: 0, stdout: "Untagged: a:latest\n" });
      const refused = await cli("rmi", short, "--cache-dir", store);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/tagged 2 times \(b:latest, c:latest\).*-f/);
      const forced = await cli("rmi", "-f", short, "nope", "--cache-dir", store);
      expect(forced.stdout).toBe("Untagged: b:latest\nUntagged: c:latest\n");
      expect(forced.stderr).toMatch(/find image nope: no such image/);
      expect(forced.status).toBe(1);
      expect((await cli("images", "-q", "--cache-dir", store)).stdout).toBe("");

      const du = await cli("du", "--json", "--cache-dir", store);
      const usage = JSON.parse(du.stdout) as {
        images: number;
        records: number;
        imageBlobs: { count: number };
        cacheOnlyBlobs: { count: number };
      };
      expect(usage.images).toBe(0);
      expect(usage.records).toBe(2);
      expect(usage.cacheOnlyBlobs.count).toBe(1); // the COPY layer, still cached

      // A plain prune keeps cached layers (they have records); --all removes them.
      const plain = await cli("prune", "-f", "--cache-dir", store);
      expect(plain.status).toBe(0);
      const rebuilt = await cli("--progress", "plain", "--cache-dir", store, helloDir);
      expect(rebuilt.stderr).toContain("2/2 steps cached");
      const all = await cli("prune", "-f", "--all", "--cache-dir", store);
      expect(all.stdout).toMatch(/Removed 2 step record\(s\), \d+ blob\(s\)/);
      expect(all.stdout).toMatch(/Total reclaimed space: \d+(\.\d+)?k?B/);
      const cold = await cli("--progress", "plain", "--cache-dir", store, helloDir);
      expect(cold.stderr).toContain("0/2 steps cached");
    } finally {
      rm(store);
    }
  });

  test("du prints a table; prune validates --keep-storage and --filter", async () => {
    const du = await cli("du", "--cache-dir", cache);
    expect(du.status).toBe(0);
    expect(du.stdout).toMatch(/^TYPE\s+COUNT\s+SIZE\s+RECLAIMABLE BY$/m);
    expect(du.stdout).toMatch(/^Images \(blobs\)\s+4\s+\S+B\s/m); // manifest, config, COPY's and the empty layer
    expect(du.stdout).toMatch(/^Tags\s+2$/m);
    expect(du.stdout).toContain(`Total: `);
    for (const [argv, message] of [
      [["--keep-storage", "lots"], /--keep-storage: parse size: "lots"/],
      [["--filter", "until=soon"], /--filter: parse duration: "soon"/],
      [["--filter", "type=regular"], /--filter: unsupported filter "type=regular"/],
    ] as const) {
      const r = await cli("prune", "-f", ...argv, "--cache-dir", cache);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
    // Nothing old enough: --filter until=24h keeps today's records; tagged images are never pruned.
    const r = await cli("prune", "-f", "--filter", "until=24h", "--keep-storage", "0", "--cache-dir", cache);
    expect(r.status).toBe(0);
    expect((await cli("images", "-q", "--cache-dir", cache)).stdout).toBe(`${id.slice(7, 19)}\n`);
    expect((await cli("save", "hello", "-o", path.join(out, "x.tar"), "--cache-dir", cache)).status).toBe(0);
  });

  test("save refuses a damaged store: a missing layer blob is a clear error", async () => {
    const store = tempDir("tsbuild-cli-damaged-");
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY f /f\n", f: "content" });
    try {
      expect((await cli("-q", "-t", "x", "--cache-dir", store, ctx)).status).toBe(0);
      const [image] = JSON.parse((await cli("inspect", "x", "--cache-dir", store)).stdout) as Array<{
        manifest: { layers: Array<{ digest: string }> };
      }>;
      const layer = image?.manifest.layers[0]?.digest;
      fs.rmSync(path.join(store, "blobs", "sha256", layer.slice(7)));
      const r = await cli("save", "x", "-o", path.join(out, "x.tar"), "--cache-dir", store);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`error: load image x: layer ${layer} is missing from the store (pruned?)\n`);
    } finally {
      rm(store, ctx);
    }
  });
});
