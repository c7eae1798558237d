import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as tar from "tar-stream";
import { ADDGROUP, ADDUSER } from "./adduser";

/**
 * The suite's stand-in for upstream's busybox/alpine bases: Debian's static /bin/busybox, its
 * applets as symlinks in /bin (what `busybox --install -s /bin` makes), and the /etc/passwd and
 * /etc/group of the official busybox image (root, daemon, bin, sys, mail, www-data, operator,
 * nobody; groups incl. nobody=65534, users=100), and adduser/addgroup stand-ins (adduser.ts). Written directly as a one-layer OCI layout with
 * fixed timestamps, so the same busybox gives the same digest, and pushed with skopeo.
 */
const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;
const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
floppy:x:19:
audio:x:29:
www-data:x:33:
operator:x:37:
staff:x:50:
users:x:100:
nogroup:x:65533:
nobody:x:65534:
`;
const SHADOW = PASSWD.split("\n")
  .filter(Boolean)
  .map((l) => `${l.split(":")[0]}:*:10933:0:99999:7:::`)
  .join("\n")
  .concat("\n");

/** The base image's one history entry (left out when a case's history is checked). */
export const BASE_CREATED_BY = "tsbuild-buildkit-suite: busybox-static base";
const MTIME = new Date("2024-01-01T00:00:00Z");
const BUSYBOX = "/bin/busybox";

function sha256(b: Buffer): string {
  return "sha256:" + crypto.createHash("sha256").update(b).digest("hex");
}

async function layerTar(): Promise<Buffer> {
  const applets = execFileSync(BUSYBOX, ["--list"], { encoding: "utf8" })
    .split("\n")
    .filter((a) => a && a !== "busybox")
    .sort();
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const base = { uid: 0, gid: 0, mtime: MTIME, uname: "", gname: "" };
  const dir = (name: string, mode = 0o755) =>
    pack.entry({ ...base, name: name + "/", type: "directory", mode });
  const file = (name: string, data: Buffer | string, mode = 0o644) =>
    pack.entry({ ...base, name, type: "file", mode }, typeof data === "string" ? Buffer.from(data) : data);
  for (const d of ["bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "usr/sbin", "var"]) dir(d);
  dir("var/spool");
  dir("var/spool/mail");
  dir("var/www");
  dir("root", 0o700);
  dir("tmp", 0o1777);
  file("bin/busybox", fs.readFileSync(BUSYBOX), 0o755);
  for (const a of applets)
    pack.entry({ ...base, name: `bin/${a}`, type: "symlink", linkname: "busybox", mode: 0o777 });
  file("bin/adduser", ADDUSER, 0o755);
  file("bin/addgroup", ADDGROUP, 0o755);
  file("etc/passwd", PASSWD);
  file("etc/group", GROUP);
  file("etc/shadow", SHADOW, 0o640);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Writes the base image as an OCI layout under `dir` (tag "latest"); returns its manifest digest. */
export async function writeBaseImageLayout(dir: string): Promise<string> {
  const rawLayer = await layerTar();
  const layer = zlib.gzipSync(rawLayer, { level: 6 });
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: MTIME.toISOString(),
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"] },
      rootfs: { type: "layers", diff_ids: [sha256(rawLayer)] },
      history: [{ created: MTIME.toISOString(), created_by: BASE_CREATED_BY }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha256(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: sha256(layer),
          size: layer.length,
        },
      ],
    }),
  );
  const blobs = path.join(dir, "blobs", "sha256");
  fs.mkdirSync(blobs, { recursive: true });
  for (const b of [layer, config, manifest]) fs.writeFileSync(path.join(blobs, sha256(b).slice(7)), b);
  fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  fs.writeFileSync(
    path.join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: sha256(manifest),
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": "latest" },
        },
      ],
    }),
  );
  return sha256(manifest);
}

/** Builds the base image and pushes it to `registryHost` as `busybox:latest`; returns the reference. */
export async function pushBaseImage(registryHost: string, workDir: string): Promise<string> {
  const layout = path.join(workDir, "base-layout");
  await writeBaseImageLayout(layout);
  const ref = `${registryHost}/busybox:latest`;
  execFileSync(
    "skopeo",
    ["copy", "--quiet", "--dest-tls-verify=false", `oci:${layout}:latest`, `docker://${ref}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return ref;
}
