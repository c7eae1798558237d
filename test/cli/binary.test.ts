import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { rawTar } from "../hostile/layers";
import {
  bin,
  ensureDist,
  helloDir,
  readLayoutIndex,
  rm,
  skopeoInspect,
  spawnBin,
  tempDir,
  tempTree,
} from "./helpers";

/** The built binary, `node dist/cli/main.js`: exit statuses, stdin, signals. */
describe("tsbuild binary", () => {
  let cache: string;
  let out: string;
  beforeAll(() => ensureDist(), 300_000);
  beforeEach(() => {
    cache = tempDir("tsbuild-bin-cache-");
    out = tempDir("tsbuild-bin-out-");
  });
  afterEach(() => rm(cache, out));

  test("builds fixtures/hello (exit 0), skopeo sees the labels; rebuild all CACHED", () => {
    const archive = path.join(out, "hello.oci.tar");
    const r = bin([
      "build",
      "-t",
      "hello:latest",
      "-o",
      `type=oci,dest=${archive}`,
      "--progress",
      "plain",
      "--cache-dir",
      cache,
      helloDir,
    ]);
    expect(r.stderr).toMatch(/Built hello:latest/);
    expect(r.status).toBe(0);
    expect(skopeoInspect(`oci-archive:${archive}`).Labels).toEqual({
      "org.opencontainers.image.title": "tsbuild hello",
      greeting: "hello",
    });
    const again = bin(["-t", "hello:latest", "--progress=plain", "--cache-dir", cache, helloDir]);
    expect(again.status).toBe(0);
    expect(again.stderr.match(/^#\d+ CACHED$/gm)).toHaveLength(2);
    const images = bin(["images", "--cache-dir", cache]);
    expect(images.stdout).toMatch(/^hello\s+latest\s+[a-f0-9]{12}\s/m);
  });

  test("exit 2 for usage errors, 1 for a Dockerfile error with file:line:col and caret", () => {
    const usage = bin(["--no-such-flag", "--cache-dir", cache, helloDir]);
    expect(usage).toMatchObject({ status: 2, stdout: "" });
    expect(usage.stderr).toMatch(/^tsbuild: Unknown arguments?: no-such-flag/);
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY --chmod=0644 a /a\nRUN\n", a: "a" });
    try {
      const r = bin(["--cache-dir", cache, "-f", path.join(ctx, "Dockerfile"), ctx], { cwd: ctx });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^error: .*Dockerfile:3:1: .*\n3 \| RUN\n +\| \^/);
    } finally {
      rm(ctx);
    }
  });

  test("a failing RUN and a failing --chown print Dockerfile:LINE:COL and exit 1, no stack, no temp path", () => {
    const busybox = fs.readFileSync("/bin/busybox");
    const ctx = tempTree({ busybox, a: "a" });
    fs.chmodSync(path.join(ctx, "busybox"), 0o755);
    try {
      const base =
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n';
      fs.writeFileSync(path.join(ctx, "Dockerfile"), `${base}RUN echo doomed && exit 3\n`);
      const run = bin(["--cache-dir", cache, "--progress", "plain", ctx], { cwd: ctx });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /error: Dockerfile:4:1: RUN echo doomed && exit 3: process "\/bin\/sh -c echo doomed && exit 3" did not complete successfully: exit code: 3\n\s+doomed/,
      );
      fs.writeFileSync(path.join(ctx, "Dockerfile"), `${base}\nCOPY --chown=nobody a /a\n`);
      const chown = bin(["--cache-dir", cache, "--progress", "plain", ctx], { cwd: ctx });
      expect(chown.status).toBe(1);
      expect(chown.stderr).toMatch(
        /error: Dockerfile:5:1: COPY --chown=nobody a \/a: .*no user nobody in \/etc\/passwd/,
      );
      for (const r of [run, chown]) {
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stderr).not.toMatch(/\/tmp\/|\/tsbuild-/);
      }
    } finally {
      rm(ctx);
    }
  });

  test("-f - reads the Dockerfile from stdin; -q prints only the image ID", () => {
    const ctx = tempTree({ "a.txt": "from stdin" });
    try {
      const r = bin(["-q", "-f", "-", "-t", "stdin-df", "--cache-dir", cache, ctx], {
        input: "FROM scratch\nCOPY a.txt /\nLABEL src=stdin\n",
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
      const inspect = JSON.parse(bin(["inspect", "stdin-df", "--cache-dir", cache]).stdout) as Array<{
        id: string;
        config: { config: { Labels: object } };
      }>;
      expect(inspect[0]?.id).toBe(r.stdout.trim());
      expect(inspect[0]?.config.config.Labels).toEqual({ src: "stdin" });
    } finally {
      rm(ctx);
    }
  });

  test("context - is a (gzipped) tar on stdin, extracted to a temp dir that is removed", () => {
    const ctx = tempTree({
      Dockerfile: "FROM scratch\nCOPY docs/ /docs/\n",
      "docs/readme.txt": "hi",
      "other.Dockerfile": "FROM scratch\nCOPY docs/readme.txt /r\n",
    });
    // A private TMPDIR: other suites running beside this one make tsbuild-context-* dirs in /tmp.
    const tmp = tempDir("tsbuild-bin-tmp-");
    const env = { TMPDIR: tmp };
    try {
      const tar = execFileSync("tar", ["-C", ctx, "-cz", "."]);
      const archive = path.join(out, "x.tar");
      const r = bin(
        [
          "-t",
          "fromtar",
          "-o",
          `type=docker,dest=${archive}`,
          "--progress",
          "plain",
          "--cache-dir",
          cache,
          "-",
        ],
        { input: tar, env },
      );
      expect(r.stderr).toContain("COPY docs/ /docs/");
      expect(r.status).toBe(0);
      expect(skopeoInspect(`docker-archive:${archive}`).Layers).toHaveLength(1);
      // -f names a file inside the tar.
      const other = bin(["-f", "other.Dockerfile", "--progress", "plain", "--cache-dir", cache, "-"], {
        input: tar,
        env,
      });
      expect(other.status).toBe(0);
      expect(other.stderr).toContain("COPY docs/readme.txt /r");
      // Not a tar: a clear error, exit 1.
      const junk = bin(["--cache-dir", cache, "-"], { input: "not a tar at all".repeat(100), env });
      expect(junk.status).toBe(1);
      expect(junk.stderr).toMatch(/^error: extract archive .*not a tar archive\n$/);
      // Every extracted context (good or bad) is gone.
      expect(fs.readdirSync(tmp)).toEqual([]);
      // Both from stdin cannot work.
      expect(bin(["-f", "-", "--cache-dir", cache, "-"]).status).toBe(2);
    } finally {
      rm(ctx, tmp);
    }
  });

  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s aborts the build, cleans up and exits %d",
    async (signal, code) => {
      // The signal arrives while a RUN is sleeping: a step that cannot finish on its own, so the
      // test does not race the build (a 64 MB COPY once was the busy step; it got fast enough to
      // finish inside the 100 ms the test waited, and the next step started).
      const busybox = fs.readFileSync("/bin/busybox");
      const ctx = tempTree({
        Dockerfile:
          'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' +
          "RUN sleep 600\nCOPY small.txt /\n",
        busybox,
        "small.txt": "s",
      });
      fs.chmodSync(path.join(ctx, "busybox"), 0o755);
      try {
        const started = Date.now();
        const child = spawnBin(["--progress", "rawjson", "-t", "never", "--cache-dir", cache, ctx]);
        let stderr = "";
        let sent = false;
        child.stderr?.on("data", (d: Buffer) => {
          stderr += d.toString("utf8");
          if (!sent && stderr.includes("RUN sleep 600")) {
            sent = true;
            setTimeout(() => child.kill(signal), 200);
          }
        });
        const status = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
        expect(stderr).toContain(`build cancelled by ${signal}`);
        expect(stderr).not.toContain("exporting to");
        expect(stderr).not.toContain("COPY small.txt");
        expect(status).toBe(code);
        // The sleeping RUN was stopped, not waited for.
        expect(Date.now() - started).toBeLessThan(120_000);
        // Nothing half-done is left: no image, no record of the cancelled step, no temp files,
        // no process of the container.
        expect(bin(["images", "-q", "--cache-dir", cache]).stdout).toBe("");
        expect(
          fs.readdirSync(path.join(cache, "records")).filter((n) => n.endsWith(".json")).length,
        ).toBeLessThanOrEqual(2);
        const tmp = path.join(cache, "tmp");
        expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
        expect(
          fs.readdirSync(path.join(cache, "blobs", "sha256")).filter((n) => !/^[a-f0-9]{64}$/.test(n)),
        ).toEqual([]);
        const sleeping = fs
          .readdirSync("/proc")
          .filter((n) => /^\d+$/.test(n))
          .filter((n) => {
            try {
              return fs.readFileSync(`/proc/${n}/cmdline`, "utf8") === ["sleep", "600", ""].join("\0");
            } catch {
              return false;
            }
          });
        expect(sleeping).toEqual([]);
      } finally {
        rm(ctx);
      }
    },
    180_000,
  );

  test("a binary xattr (security.capability) of an image layer survives COPY --from in the bundled CLI", () => {
    // tar-stream decodes PAX values as UTF-8; the raw bytes come from a wrapper of its PAX
    // decoder, which the bundle once applied to a copy of tar-stream its extractor did not use.
    const cap = Buffer.from([1, 0, 0, 2, 0x80, 0x20, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const layer = rawTar([
      { name: "ping", data: "ELF", mode: 0o755, pax: { "SCHILY.xattr.security.capability": cap } },
    ]);
    const layout = tempDir("tsbuild-bin-layout-");
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY --from=capimg /ping /ping\n" });
    try {
      const blobs = path.join(layout, "blobs", "sha256");
      fs.mkdirSync(blobs, { recursive: true });
      const put = (bytes: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } => {
        const hex = crypto.createHash("sha256").update(bytes).digest("hex");
        fs.writeFileSync(path.join(blobs, hex), bytes);
        return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
      };
      const diffId = `sha256:${crypto.createHash("sha256").update(layer).digest("hex")}`;
      const config = put(
        Buffer.from(
          JSON.stringify({
            architecture: process.arch === "arm64" ? "arm64" : "amd64",
            os: "linux",
            config: {},
            rootfs: { type: "layers", diff_ids: [diffId] },
          }),
        ),
        "application/vnd.oci.image.config.v1+json",
      );
      const manifest = put(
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config,
            layers: [put(zlib.gzipSync(layer), "application/vnd.oci.image.layer.v1.tar+gzip")],
          }),
        ),
        "application/vnd.oci.image.manifest.v1+json",
      );
      fs.writeFileSync(
        path.join(layout, "index.json"),
        JSON.stringify({ schemaVersion: 2, manifests: [manifest] }),
      );
      fs.writeFileSync(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      const dest = path.join(out, "img");
      const r = bin([
        "build",
        "--progress",
        "plain",
        "--cache-dir",
        cache,
        "--build-context",
        `capimg=oci-layout://${layout}`,
        "-o",
        `type=oci,dest=${dest},tar=false,compression=uncompressed`,
        ctx,
      ]);
      expect(r.stderr).not.toContain("skip xattr");
      expect(r.status).toBe(0);
      const index = readLayoutIndex(dest);
      const blob = (digest: string): Buffer =>
        fs.readFileSync(path.join(dest, "blobs", "sha256", digest.slice(7)));
      const built = JSON.parse(blob(index.manifests[0].digest).toString("utf8")) as {
        layers: Array<{ digest: string }>;
      };
      const tar = blob(built.layers[0].digest);
      const record = Buffer.concat([
        Buffer.from("SCHILY.xattr.security.capability="),
        cap,
        Buffer.from("\n"),
      ]);
      expect(tar.indexOf(record)).toBeGreaterThan(0);
    } finally {
      rm(layout, ctx);
    }
  });

  test("prune without -f asks; no answer cancels and removes nothing", () => {
    expect(bin(["--cache-dir", cache, helloDir]).status).toBe(0);
    const r = bin(["prune", "--all", "--cache-dir", cache], { input: "" });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("Are you sure you want to continue? [y/N]");
    expect(r.stderr).toContain("Prune cancelled.");
    expect(fs.readdirSync(path.join(cache, "records")).filter((n) => n.endsWith(".json"))).toHaveLength(2);
    const yes = bin(["prune", "--all", "--cache-dir", cache], { input: "y\n" });
    expect(yes.status).toBe(0);
    expect(yes.stdout).toMatch(/Removed 2 step record\(s\)/);
  });
});
