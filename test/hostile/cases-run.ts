import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { BuildEvent } from "../../src/engine/progress";
import type { CaseEnv, HostileCase } from "./harness";
import { SECRET_TEXT } from "./harness";
import { rawTar } from "./layers";

/**
 * RUN with the real runtime (runc, seccomp, default capabilities, pids limit): what a hostile
 * Dockerfile does from inside the container. C cases make the step fail (exit 1) if the attack
 * worked, so a passing build is the proof; the sentinel check covers what the step cannot see.
 */
const BB = (e: CaseEnv): string => `${e.registry}/hostile/busybox:1`;
const df = (text: string): { Dockerfile: string } => ({ Dockerfile: text });

/** A static helper that tries the classic escapes; exit 1 if any reached the sentinel. */
const ESCAPE_C = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static int hit(const char *how, const char *sentinel) {
  char p[4096];
  snprintf(p, sizeof p, "%s/secret", sentinel);
  int fd = open(p, O_RDONLY);
  snprintf(p, sizeof p, "%s/escaped-%s", sentinel, how);
  int w = open(p, O_WRONLY | O_CREAT, 0644);
  if (w >= 0) close(w);
  printf("%s: %s\n", how, fd >= 0 || w >= 0 ? "ESCAPED" : "contained");
  if (fd >= 0) close(fd);
  return fd >= 0 || w >= 0;
}
int main(int argc, char **argv) {
  const char *sentinel = argv[1];
  int bad = 0;
  /* 1. chroot into a subdirectory while holding a cwd outside it, then climb. */
  int top = open("/", O_RDONLY | O_DIRECTORY);
  mkdir("/jail", 0755);
  if (chroot("/jail") == 0) {
    fchdir(top);
    for (int i = 0; i < 128; i++) chdir("..");
    chroot(".");
    bad |= hit("chroot", sentinel);
  } else perror("chroot");
  /* 2. inherited descriptors (runc CVE-2024-21626: a leaked host directory fd). */
  for (int fd = 3; fd < 1024; fd++) {
    if (fchdir(fd) != 0) continue;
    for (int i = 0; i < 64; i++) chdir("..");
    bad |= hit("fd", sentinel);
  }
  /* 3. /proc/1/root and /proc/self/cwd of this namespace. */
  char p[4096];
  snprintf(p, sizeof p, "/proc/1/root%s/secret", sentinel);
  if (access(p, F_OK) == 0) { puts("proc-root: ESCAPED"); bad = 1; }
  return bad;
}
`;

/** The secret must be nowhere: layers (uncompressed), config, history, cache records and keys, logs. */
function assertNoSecret(dir: string, events: BuildEvent[]): void {
  const needle = SECRET_TEXT.trim();
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) return fs.readdirSync(p).forEach((n) => walk(path.join(p, n)));
    if (!st.isFile()) return;
    let data = fs.readFileSync(p);
    if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
    expect(data.includes(needle)).toBe(false);
  };
  walk(dir);
  expect(JSON.stringify(events)).not.toContain(needle);
}

const readSwappiness = (): string => fs.readFileSync("/proc/sys/vm/swappiness", "utf8");
let swappiness = "";

/** A small ext4 loop-mounted at the case's cache dir (root; the suite runs as root on CI). */
function loopCache(e: CaseEnv, mib: number): void {
  const img = path.join(e.target, "fs.img");
  fs.mkdirSync(e.cacheDir, { recursive: true });
  execFileSync("truncate", ["-s", `${mib}M`, img]);
  execFileSync("mkfs.ext4", ["-q", "-F", img]);
  execFileSync("mount", ["-o", "loop", img, e.cacheDir]);
}
function unloop(e: CaseEnv): void {
  if (fs.existsSync(e.cacheDir) && execFileSync("findmnt", ["-rn", e.cacheDir]).toString() !== "")
    execFileSync("umount", [e.cacheDir]);
  fs.rmSync(e.cacheDir, { recursive: true, force: true });
}

export const RUN_CASES: HostileCase[] = [
  {
    id: "run-chroot-escape",
    outcome: "C",
    title: "a gcc-built static helper: chroot climb, leaked fds, /proc/1/root",
    anchor: "container breakout (runc CVE-2024-21626 leaked fd, classic chroot escape)",
    setup: (e) => {
      fs.mkdirSync(e.context, { recursive: true });
      fs.writeFileSync(path.join(e.target, "escape.c"), ESCAPE_C);
      execFileSync("gcc", [
        "-static",
        "-O1",
        "-o",
        path.join(e.context, "escape"),
        path.join(e.target, "escape.c"),
      ]);
    },
    context: (e) => df(`FROM ${BB(e)}\nCOPY escape /escape\nRUN /escape ${e.sentinel}\n`),
  },
  {
    id: "run-workdir-proc-fd",
    outcome: "E",
    title: "WORKDIR /proc/self/fd/7, then climb to the sentinel",
    anchor: "runc CVE-2024-21626 (process.cwd on a leaked host fd)",
    context: (e) =>
      df(
        `FROM ${BB(e)}\nWORKDIR /proc/self/fd/7\nRUN if cat ../../../../../../../..${e.secret}; then exit 1; fi; true\n`,
      ),
    error: /Dockerfile:3:1: .*mkdir \/proc\/self\/fd\/7: not a directory/,
  },
  {
    id: "run-proc-sys-write",
    outcome: "C",
    title: "writes to /proc/sys/vm/swappiness and /proc/sysrq-trigger",
    anchor: "host kernel settings changed from a build (read-only /proc/sys)",
    setup: () => {
      swappiness = readSwappiness();
    },
    context: (e) =>
      df(
        `FROM ${BB(e)}\nRUN if echo 17 > /proc/sys/vm/swappiness; then exit 1; fi; if echo h > /proc/sysrq-trigger; then exit 1; fi; true\n`,
      ),
    check: () => expect(readSwappiness()).toBe(swappiness),
  },
  {
    id: "run-mknod",
    outcome: "C",
    title: "mknod of the host's first disk and /dev/mem, then read them",
    anchor: "raw device access from a build (devices cgroup)",
    context: (e) =>
      df(
        `FROM ${BB(e)}\nRUN mknod /sda b 8 0 2>/dev/null; mknod /mem c 1 1 2>/dev/null; for d in /sda /mem; do if head -c 1 $d >/dev/null 2>&1; then exit 1; fi; done; rm -f /sda /mem\n`,
      ),
  },
  {
    id: "run-mount",
    outcome: "C",
    title: "mount tmpfs, a bind of /, a new proc",
    anchor: "CAP_SYS_ADMIN in a build step",
    context: (e) =>
      df(
        `FROM ${BB(e)}\nRUN mkdir -p /mnt; for a in "-t tmpfs t /mnt" "-o bind / /mnt" "-t proc p /mnt"; do if mount $a 2>/dev/null; then exit 1; fi; done\n`,
      ),
  },
  {
    id: "run-fork-bomb",
    outcome: "C",
    title: "b(){ b|b& }; b with --pids-limit 64",
    anchor: "a fork bomb taking the host down",
    options: () => ({ pidsLimit: 64 }),
    // After starting the bomb the shell only runs builtins (a counting loop, not `sleep`): a fork
    // of its own while the bomb holds all 64 pids is fatal to ash, which made the case flaky.
    context: (e) =>
      df(
        `FROM ${BB(e)}\nRUN b(){ b|b& }; b; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo survived\n`,
      ),
  },
  {
    id: "run-5gb-write",
    outcome: "E",
    title: "dd of 5 GB into a cache on a 64 MiB filesystem",
    anchor: "a build filling the host's disk",
    setup: (e) => loopCache(e, 64),
    teardown: unloop,
    context: (e) => df(`FROM ${BB(e)}\nRUN dd if=/dev/zero of=/big bs=1M count=5120\n`),
    error: /Dockerfile:2:1: .*did not complete successfully: exit code: 1/,
  },
  {
    id: "run-image-dev-symlink",
    outcome: "E",
    title: "an image whose /dev is a symlink to the sentinel",
    anchor:
      "runc's /dev/ptmx, /dev/fd links made on the host through it (found here; runc CVE-2021-30465 class)",
    image: (e) => ({
      layers: [{ tar: rawTar([{ name: "dev", type: "2", linkname: e.sentinel }]) }],
      busybox: true,
    }),
    context: (e) => df(`FROM ${e.image}\nRUN test -c /dev/null && ls /dev >/dev/null\n`),
    error:
      /Dockerfile:2:1: .*RUN: \/dev in the image is a symlink \(to ".*tsbuild-sentinel-.*"\); the runtime mounts \/dev itself/,
  },
  {
    id: "run-image-proc-symlink",
    outcome: "E",
    title: "an image whose /proc is a symlink to the sentinel",
    anchor: "procfs mounted over a host path (runc CVE-2019-19921)",
    image: (e) => ({
      layers: [{ tar: rawTar([{ name: "proc", type: "2", linkname: e.sentinel }]) }],
      busybox: true,
    }),
    context: (e) => df(`FROM ${e.image}\nRUN true\n`),
    error: /Dockerfile:2:1: .*RUN: \/proc in the image is a symlink/,
  },
  {
    id: "run-image-resolv-symlink",
    outcome: "C",
    title: "an image whose /etc/resolv.conf and /etc/hosts link to the host secret",
    anchor: "a bind mount of resolv.conf through an image symlink (Docker CVE-2018-15664 class)",
    image: (e) => ({
      layers: [
        {
          tar: rawTar([
            { name: "etc/", type: "5" },
            { name: "etc/resolv.conf", type: "2", linkname: e.secret },
            { name: "etc/hosts", type: "2", linkname: `../../../../../..${e.secret}` },
          ]),
        },
      ],
      busybox: true,
    }),
    context: (e) =>
      df(
        `FROM ${e.image}\nRUN if grep -q sentinel-hash /etc/resolv.conf /etc/hosts; then exit 1; fi; echo x >> /etc/resolv.conf; echo y >> /etc/hosts; true\n`,
      ),
  },
  {
    id: "run-secret-nowhere",
    outcome: "OK",
    title: "RUN --mount=type=secret reads the secret, copies it to /tmp and deletes it",
    anchor: "secrets leaked into a layer, history, config, cache key or log (BuildKit secrets rules)",
    context: (e) =>
      df(
        `FROM ${BB(e)}\nRUN --mount=type=secret,id=s,required=true mkdir -p /tmp && cp /run/secrets/s /tmp/c && grep -q sentinel-hash /tmp/c && rm /tmp/c\nRUN --mount=type=secret,id=s,target=/etc/s,mode=0400 test -s /etc/s\n`,
      ),
    options: (e) => {
      const events: BuildEvent[] = [];
      secretEvents.set(e.target, events);
      return {
        secrets: [{ id: "s", src: e.secret }],
        onEvent: (ev) => void events.push(ev),
        outputs: [
          { type: "local", dest: path.join(e.target, "out") },
          { type: "oci", dest: path.join(e.target, "oci"), tar: false },
        ],
      };
    },
    check: (_r, _out, e) => {
      assertNoSecret(path.join(e.target, "out"), []);
      assertNoSecret(path.join(e.target, "oci"), []);
      assertNoSecret(e.cacheDir, secretEvents.get(e.target) ?? []);
      expect(
        fs.readdirSync("/dev/shm").filter((n) => n.startsWith(`tsbuild-secret-${process.pid}-`)),
      ).toEqual([]);
    },
  },
  {
    id: "run-bind-symlink-from-stage",
    outcome: "E",
    title: "RUN --mount=type=bind,from=a,source=/link where /link -> the sentinel",
    anchor: "bind sources resolved on the host (BuildKit CVE-2024-23652/23653 class)",
    context: (e) =>
      df(
        `FROM ${BB(e)} AS a\nRUN ln -s ${e.sentinel} /link\nFROM ${BB(e)}\nRUN --mount=type=bind,from=a,source=/link,target=/m,rw if cat /m/secret 2>/dev/null; then exit 1; fi; touch /m/pwned 2>/dev/null; true\n`,
      ),
    // The link is resolved inside stage a's root, where the sentinel's path does not exist.
    error: /Dockerfile:4:1: .*bind source \/link not found in the stage/,
  },
  {
    id: "run-cache-mount-symlink",
    outcome: "C",
    title: "a cache mount whose sub dir becomes a symlink to the sentinel, mounted with source=",
    anchor: "BuildKit CVE-2024-23651 (cache mount symlink race)",
    options: () => ({ jobs: 4 }),
    context: (e) =>
      df(
        [
          `FROM ${BB(e)} AS swap`,
          `RUN --mount=type=cache,id=c,target=/c,sharing=shared i=0; while [ $i -lt 200 ]; do rm -rf /c/sub; mkdir /c/sub; rm -rf /c/sub; ln -s ${e.sentinel} /c/sub; i=$((i+1)); done`,
          `FROM ${BB(e)} AS use1`,
          `RUN --mount=type=cache,id=c,target=/c,sharing=shared if cat /c/sub/secret 2>/dev/null; then exit 1; fi; touch /c/sub/pwned 2>/dev/null; true`,
          `FROM ${BB(e)}`,
          `COPY --from=swap /bin/sh /x`,
          `COPY --from=use1 /bin/sh /y`,
          `RUN --mount=type=cache,id=c,target=/c,sharing=shared if cat /c/sub/secret 2>/dev/null; then exit 1; fi; true`,
        ].join("\n") + "\n",
      ),
  },
  {
    id: "run-creates-whiteout-name",
    outcome: "E",
    title: "RUN touch /etc/.wh.passwd",
    anchor: "a RUN diff emitting a file as a whiteout (Kaniko whiteout bug, issue #14)",
    context: (e) => df(`FROM ${BB(e)}\nRUN mkdir -p /etc && touch /etc/.wh.passwd\n`),
    error:
      /Dockerfile:2:1: .*"etc\/\.wh\.passwd" is named like a whiteout: .*deletes "passwd" from the layers below/,
  },
  {
    id: "run-creates-opaque-name",
    outcome: "E",
    title: "RUN touch /d/.wh..wh..opq",
    anchor: "a RUN diff emitting an opaque marker",
    context: (e) => df(`FROM ${BB(e)}\nRUN mkdir /d && touch /d/.wh..wh..opq\n`),
    error: /Dockerfile:2:1: .*"d\/\.wh\.\.wh\.\.opq" is named like a whiteout: .*hides its whole directory/,
  },
];

const secretEvents = new Map<string, BuildEvent[]>();
