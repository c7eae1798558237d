/**
 * The sandbox's setup, as data: a list of operations the host's /bin/sh carries out inside the
 * fresh mount/pid/ipc/uts(/net) namespaces, ending with the exec of the command. Every value
 * travels as a positional parameter of `sh -c SCRIPT`, so no path, name or argument is ever
 * parsed by the shell. Setup diagnostics go to fd 3; "\x01READY" on fd 3 means the setup
 * finished and the next exec is the user's command (fd 3 is closed before it).
 */
export type SandboxOp =
  /** mount -t overlay, after cd into `cwd` so `options` can use short relative lowerdirs */
  | { op: "overlay"; cwd: string; options: string; target: string }
  | { op: "mkdir"; path: string; uid: number; gid: number; mode: number }
  /** create an empty file (O_EXCL: never follows or reuses an existing entry) */
  | { op: "file"; path: string }
  | { op: "bind"; source: string; target: string; readonly: boolean }
  | { op: "mount"; fstype: string; source: string; options: string; target: string }
  | { op: "symlink"; linkTarget: string; path: string }
  | { op: "hostname"; name: string }
  | { op: "loopback"; ip: string };

export const READY_MARKER = "\x01READY\n";

/** Exit status of the setup script when an operation fails (like `docker run`'s 125). */
export const SETUP_FAILED_STATUS = 125;

export const SANDBOX_SCRIPT = `set -u
fail() { printf '%s\\n' "$*" >&3; exit ${SETUP_FAILED_STATUS}; }
while [ "$#" -gt 0 ]; do
  op=$1; shift
  case $op in
    overlay) (cd "$1" && mount -t overlay overlay -o "$2" "$3") 2>&3 || fail "mount overlay on $3"; shift 3 ;;
    mkdir) { mkdir -- "$1" && chown -- "$2:$3" "$1" && chmod -- "$4" "$1"; } 2>&3 || fail "create directory $1"; shift 4 ;;
    file) (set -C; : >"$1") 2>&3 || fail "create mount point $1"; shift ;;
    bind) mount --bind -- "$1" "$2" 2>&3 || fail "bind $1 on $2"
      if [ "$3" = ro ]; then mount -o remount,bind,ro -- "$2" 2>&3 || fail "remount $2 read-only"; fi
      shift 3 ;;
    mount) mount -t "$1" -o "$3" -- "$2" "$4" 2>&3 || fail "mount $1 on $4"; shift 4 ;;
    symlink) ln -s -- "$1" "$2" 2>&3 || fail "symlink $2"; shift 2 ;;
    hostname) printf '%s' "$1" >/proc/sys/kernel/hostname 2>&3 || fail "set hostname $1"; shift ;;
    loopback) "$1" link set lo up 2>&3 || fail "bring up lo"; shift ;;
    exec) printf '\\001READY\\n' >&3; exec 3>&-; exec "$@" ;;
    *) fail "unknown sandbox operation $op" ;;
  esac
done
fail "no command to exec"
`;

/** Positional parameters for SANDBOX_SCRIPT: the operations, then `exec` and the argv. */
export function sandboxArgs(ops: readonly SandboxOp[], execArgv: readonly string[]): string[] {
  const args: string[] = [];
  for (const o of ops) {
    switch (o.op) {
      case "overlay":
        args.push(o.op, o.cwd, o.options, o.target);
        break;
      case "mkdir":
        args.push(o.op, o.path, String(o.uid), String(o.gid), o.mode.toString(8));
        break;
      case "file":
        args.push(o.op, o.path);
        break;
      case "bind":
        args.push(o.op, o.source, o.target, o.readonly ? "ro" : "rw");
        break;
      case "mount":
        args.push(o.op, o.fstype, o.source, o.options, o.target);
        break;
      case "symlink":
        args.push(o.op, o.linkTarget, o.path);
        break;
      case "hostname":
        args.push(o.op, o.name);
        break;
      case "loopback":
        args.push(o.op, o.ip);
        break;
    }
  }
  args.push("exec", ...execArgv);
  return args;
}
