import * as path from "node:path";
import { ExecutorError } from "./errors";
import type { LayerView } from "../rootfs/layer-view";
import type { SandboxOp } from "./sandbox-script";

/** Paths the sandbox created only to mount on, to remove from the upper dir after the run. */
export interface MountStubs {
  /** Created entries, parents before children. */
  created: string[];
  /** Existing directories that got a stub inside them (overlayfs copied them up for it). */
  parents: string[];
}

interface Owner {
  uid: number;
  gid: number;
}

const ROOT_OWNER: Owner = { uid: 0, gid: 0 };

/**
 * Turns container paths into setup operations on the merged root: resolves each path inside the
 * rootfs (symlinks included, never escaping it), creates what is missing and remembers which of
 * those entries exist only as mount points. Paths are planned in order, so a later target sees
 * the directories an earlier one created.
 */
export class RootfsPlanner {
  readonly ops: SandboxOp[] = [];
  private readonly created = new Map<string, "dir" | "file">();
  private readonly stubs: string[] = [];
  private readonly stubParents = new Set<string>();

  constructor(
    private readonly rootfs: LayerView,
    /** Host path where the merged root is mounted inside the sandbox. */
    private readonly mergedRoot: string,
  ) {}

  /** Host path (inside the sandbox's mount namespace) of a resolved relative path. */
  hostPath(relPath: string): string {
    return relPath === "" ? this.mergedRoot : path.join(this.mergedRoot, relPath);
  }

  /** Ensures a directory exists at `target`; returns its resolved relative path. */
  directory(target: string, opts: { stub: boolean; owner?: Owner }): string {
    return this.ensure(target, "dir", opts.stub, opts.owner ?? ROOT_OWNER);
  }

  /** Ensures a non-directory exists at `target` (an empty file if missing), for file mounts. */
  file(target: string): string {
    return this.ensure(target, "file", true, ROOT_OWNER);
  }

  mountStubs(): MountStubs {
    return { created: [...this.stubs], parents: [...this.stubParents] };
  }

  private ensure(target: string, kind: "dir" | "file", stub: boolean, owner: Owner): string {
    const resolved = this.rootfs.resolve(target);
    const relPath = resolved.path;
    const existing =
      resolved.stat?.type === "directory"
        ? "dir"
        : resolved.stat !== undefined
          ? "file"
          : this.created.get(relPath);
    if (existing !== undefined) {
      if (existing !== kind && (kind === "dir" || existing === "dir")) {
        throw new ExecutorError(
          "EXECUTOR_MOUNT_TARGET",
          `prepare ${target}: /${relPath} exists and is ${existing === "dir" ? "" : "not "}a directory`,
        );
      }
      return relPath;
    }
    const parts = relPath.split("/");
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join("/");
      const last = i === parts.length - 1;
      const known = this.created.get(prefix) ?? this.kindInRootfs(prefix);
      if (known === "dir") {
        if (stub) this.stubParents.add(prefix);
        continue;
      }
      if (known === "file") {
        throw new ExecutorError("EXECUTOR_MOUNT_TARGET", `prepare ${target}: /${prefix} is not a directory`);
      }
      const host = this.hostPath(prefix);
      if (last && kind === "file") {
        this.ops.push({ op: "file", path: host });
        this.created.set(prefix, "file");
      } else {
        this.ops.push({ op: "mkdir", path: host, uid: owner.uid, gid: owner.gid, mode: 0o755 });
        this.created.set(prefix, "dir");
      }
      if (stub) this.stubs.push(prefix);
    }
    return relPath;
  }

  private kindInRootfs(relPath: string): "dir" | "file" | undefined {
    const entry = this.rootfs.lstat(relPath);
    if (entry === undefined) return undefined;
    return entry.type === "directory" ? "dir" : "file";
  }
}
