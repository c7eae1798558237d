import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A podman with a private --root/--runroot under a temp dir, using the flags that work on these
 * machines (runc, cgroupfs, file events; see /work/shared/TOOLS.md) and the vfs storage driver so
 * nothing is left mounted. Call cleanup() in afterAll/afterEach.
 */
export class PrivatePodman {
  readonly dir: string;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-podman-"));
  }

  static available(): boolean {
    return spawnSync("podman", ["--version"]).status === 0;
  }

  /** The global flags (before the podman subcommand) that select this private store. */
  baseArgs(): string[] {
    return [
      "--root",
      path.join(this.dir, "root"),
      "--runroot",
      path.join(this.dir, "runroot"),
      "--tmpdir",
      path.join(this.dir, "tmp"),
      "--storage-driver",
      "vfs",
      "--runtime",
      "runc",
      "--cgroup-manager",
      "cgroupfs",
      "--events-backend",
      "file",
    ];
  }

  /** Runs podman with the private flags; returns stdout; throws with stderr on failure. */
  podman(args: string[], timeoutMs = 120_000): string {
    const r = spawnSync("podman", [...this.baseArgs(), ...args], { encoding: "utf8", timeout: timeoutMs });
    if (r.status !== 0)
      throw new Error(`podman ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return r.stdout;
  }

  load(archive: string): string {
    return this.podman(["load", "-i", archive]);
  }

  /** The run flags these machines need (runc cannot raise the ulimits podman asks for by default). */
  static readonly RUN_FLAGS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

  /** `podman run --rm` with the ulimits and no network. */
  run(image: string, cmd: string[] = []): string {
    return this.podman(["run", "--rm", "--network", "none", ...PrivatePodman.RUN_FLAGS, image, ...cmd]);
  }

  cleanup(): void {
    try {
      this.podman(["rm", "-a", "-f"], 60_000);
      this.podman(["rmi", "-a", "-f"], 60_000);
    } catch {
      // best effort; the directory is removed below either way
    }
    // Unmount anything podman may have left below our dir, deepest first, then remove it.
    const mounts = execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" })
      .split("\n")
      .filter((m) => m.startsWith(this.dir + "/"))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync("umount", ["-l", m]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
