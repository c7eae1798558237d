/**
 * Which snapshotter RUN uses: "overlay" (overlayfs, the default) or "copy" (./copy-snapshot.ts,
 * for kernels where overlayfs cannot be mounted in a user namespace). `TSBUILD_SNAPSHOTTER` or the
 * spec may force one; "auto" probes once per process whether overlayfs mounts here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inUserNamespace } from "../rootfs/overlay";
import { ExecutorError } from "./errors";
import { HOST_PATH } from "./runtime";
import { execFileAsync } from "../lazy-builtins";

export type SnapshotterChoice = "auto" | "overlay" | "copy";
export type Snapshotter = "overlay" | "copy";

const CHOICES: readonly SnapshotterChoice[] = ["auto", "overlay", "copy"];

let probed: Promise<Snapshotter> | undefined;

export function chooseSnapshotter(requested: string | undefined): Promise<Snapshotter> {
  const choice = requested ?? process.env["TSBUILD_SNAPSHOTTER"] ?? "auto";
  if (!CHOICES.some((c) => c === choice)) {
    throw new ExecutorError(
      "EXECUTOR_BAD_SPEC",
      `snapshotter "${choice}" (TSBUILD_SNAPSHOTTER): expected ${CHOICES.join(", ")}`,
    );
  }
  if (choice === "overlay" || choice === "copy") return Promise.resolve(choice);
  // Real root mounts overlayfs on every kernel tsbuild supports; only a user namespace may not.
  if (!inUserNamespace()) return Promise.resolve("overlay");
  probed ??= probeOverlay();
  return probed;
}

/** Mounts a tiny overlay in a throw-away mount namespace: "overlay" if that works, else "copy". */
async function probeOverlay(): Promise<Snapshotter> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "tsbuild-overlay-probe-"));
  try {
    for (const d of ["l", "u", "w", "m"]) await fs.promises.mkdir(path.join(dir, d));
    await execFileAsync(
      "unshare",
      [
        "--mount",
        "sh",
        "-c",
        'cd "$1" && mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w,userxattr m',
        "sh",
        dir,
      ],
      { env: { PATH: HOST_PATH }, timeout: 10_000 },
    );
    return "overlay";
  } catch {
    return "copy";
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
