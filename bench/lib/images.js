// Base images every builder pulls from one docker-registry on 127.0.0.1: a static busybox (Debian's
// busybox-static) and a minbase Debian made with debootstrap. The debootstrapped tree and its OCI
// layout are kept in the bench cache dir between runs; the layout is written here (tar → sha256 →
// pigz → sha256) and pushed with skopeo, so no builder under test makes the images it is fed.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { run } = require("./proc");
const { startRegistry } = require("./registry");

const DEBIAN_SUITE = "bookworm";
const DEBIAN_MIRROR = "http://deb.debian.org/debian";

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash("sha256");
    fs.createReadStream(file)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}

/** tar -C tree . | pigz > blob, hashing both sides; resolves {diffId, digest, size, file}. */
function writeLayer(tree, blobFile) {
  return new Promise((resolve, reject) => {
    const tar = spawn("tar", ["--numeric-owner", "--sort=name", "--xattrs", "-C", tree, "-cf", "-", "."], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pigz = spawn("pigz", ["-6", "-n"], { stdio: ["pipe", "pipe", "inherit"] });
    const diff = crypto.createHash("sha256");
    const out = fs.createWriteStream(blobFile);
    tar.stdout.on("data", (c) => diff.update(c));
    tar.stdout.pipe(pigz.stdin);
    pigz.stdout.pipe(out);
    let failed = false;
    const fail = (err) => {
      if (!failed) reject(err);
      failed = true;
    };
    tar.on("exit", (code) => code !== 0 && fail(new Error(`tar -C ${tree} exited ${code}`)));
    pigz.on("exit", (code) => code !== 0 && fail(new Error(`pigz exited ${code}`)));
    out.on("error", fail);
    out.on("finish", async () => {
      if (failed) return;
      resolve({
        diffId: `sha256:${diff.digest("hex")}`,
        digest: `sha256:${await sha256File(blobFile)}`,
        size: fs.statSync(blobFile).size,
      });
    });
  });
}

function putBlob(layout, bytes) {
  const hex = crypto.createHash("sha256").update(bytes).digest("hex");
  fs.writeFileSync(path.join(layout, "blobs", "sha256", hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** Writes an OCI image layout of one layer made from tree; the tag is "bench". */
async function writeLayout(tree, layout, imageConfig) {
  const tmp = `${layout}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, "blobs", "sha256"), { recursive: true });
  const layerTmp = path.join(tmp, "layer.tar.gz");
  const layer = await writeLayer(tree, layerTmp);
  fs.renameSync(layerTmp, path.join(tmp, "blobs", "sha256", layer.digest.slice(7)));
  const config = putBlob(
    tmp,
    Buffer.from(
      JSON.stringify({
        created: "2024-01-01T00:00:00Z",
        architecture: "amd64",
        os: "linux",
        config: imageConfig,
        rootfs: { type: "layers", diff_ids: [layer.diffId] },
        history: [{ created: "2024-01-01T00:00:00Z", created_by: "tsbuild bench base image" }],
      }),
    ),
  );
  const manifest = putBlob(
    tmp,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [
          {
            mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
            digest: layer.digest,
            size: layer.size,
          },
        ],
      }),
    ),
  );
  fs.writeFileSync(path.join(tmp, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  fs.writeFileSync(
    path.join(tmp, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          ...manifest,
          annotations: { "org.opencontainers.image.ref.name": "bench" },
        },
      ],
    }),
  );
  fs.rmSync(layout, { recursive: true, force: true });
  fs.renameSync(tmp, layout);
}

async function push(layout, ref) {
  await run("/usr/bin/skopeo", [
    "copy",
    "-q",
    "--dest-tls-verify=false",
    `oci:${layout}:bench`,
    `docker://${ref}`,
  ]);
}

/** /bin/busybox plus a symlink per applet, /etc/passwd and /tmp; rebuilt each run (2 MB). */
async function busyboxLayout(work) {
  const tree = path.join(work, "busybox-tree");
  fs.mkdirSync(path.join(tree, "bin"), { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(tree, "bin", "busybox"));
  fs.chmodSync(path.join(tree, "bin", "busybox"), 0o755);
  const applets = (await run("/bin/busybox", ["--list"])).stdout.split("\n").filter(Boolean);
  for (const a of applets) if (a !== "busybox") fs.symlinkSync("busybox", path.join(tree, "bin", a));
  fs.mkdirSync(path.join(tree, "etc"));
  fs.writeFileSync(
    path.join(tree, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n",
  );
  fs.writeFileSync(path.join(tree, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  fs.mkdirSync(path.join(tree, "tmp"), { mode: 0o1777 });
  fs.chmodSync(path.join(tree, "tmp"), 0o1777);
  fs.mkdirSync(path.join(tree, "root"), { mode: 0o700 });
  const layout = path.join(work, "busybox-layout");
  await writeLayout(tree, layout, { Env: ["PATH=/bin"], Cmd: ["/bin/sh"] });
  return layout;
}

/** The debootstrapped tree (cached under cacheDir) as an OCI layout (also cached). */
async function debianLayout(cacheDir, log) {
  const base = path.join(cacheDir, `debian-${DEBIAN_SUITE}-minbase`);
  const tree = path.join(base, "rootfs");
  const layout = path.join(base, "layout");
  if (fs.existsSync(path.join(layout, "index.json"))) return layout;
  if (!fs.existsSync(path.join(base, "rootfs.done"))) {
    log(`debootstrap --variant=minbase ${DEBIAN_SUITE} (once; cached in ${base})`);
    fs.rmSync(tree, { recursive: true, force: true });
    fs.mkdirSync(base, { recursive: true });
    await run("/usr/sbin/debootstrap", ["--variant=minbase", DEBIAN_SUITE, tree, DEBIAN_MIRROR]);
    // What the official debian images leave out: downloaded .debs, package lists, device nodes.
    for (const dir of ["var/cache/apt/archives", "var/lib/apt/lists", "dev"])
      for (const entry of fs.readdirSync(path.join(tree, dir)))
        if (entry !== "partial" && entry !== "lock")
          fs.rmSync(path.join(tree, dir, entry), { recursive: true, force: true });
    fs.writeFileSync(path.join(base, "rootfs.done"), new Date().toISOString());
  }
  log(`writing the Debian base layout (once; cached in ${layout})`);
  await writeLayout(tree, layout, {
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    Cmd: ["bash"],
  });
  return layout;
}

/**
 * Starts the registry and pushes the bases the chosen shapes use; resolves
 * {busybox, debian, stop} with fully qualified refs.
 */
async function serveBases({ work, cacheDir, recordDaemon, needDebian, log }) {
  const registry = await startRegistry(path.join(work, "registry"), recordDaemon);
  const refs = { stop: registry.stop, host: registry.host };
  refs.busybox = `${registry.host}/bench/busybox:static`;
  await push(await busyboxLayout(work), refs.busybox);
  if (needDebian) {
    refs.debian = `${registry.host}/bench/debian:${DEBIAN_SUITE}`;
    await push(await debianLayout(cacheDir, log), refs.debian);
  }
  return refs;
}

module.exports = { serveBases };
