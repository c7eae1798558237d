import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunIO, RunSpec } from "../../src/executor/run-spec";

/** Applets the tests use; linked as symlinks to a copy of the host's static busybox. */
const APPLETS = [
  "sh",
  "ls",
  "cat",
  "echo",
  "id",
  "rm",
  "mkdir",
  "chmod",
  "chown",
  "ln",
  "touch",
  "sleep",
  "ip",
  "pwd",
  "env",
  "hostname",
  "mount",
  "stat",
  "true",
  "false",
  "seq",
  "printf",
  "test",
  "grep",
  "mv",
  "cp",
  "cut",
  "readlink",
  "head",
  "tail",
  "wc",
  "sort",
  "kill",
  "ps",
  "rmdir",
  "mknod",
  "mkfifo",
];

/** A temp dir with a busybox rootfs layer, and helpers to make upper/work dirs. */
export class SandboxFixture {
  readonly dir: string;
  readonly base: string;
  private n = 0;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-exec-test-"));
    this.base = path.join(this.dir, "base");
    const bin = path.join(this.base, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.copyFileSync("/bin/busybox", path.join(bin, "busybox"));
    fs.chmodSync(path.join(bin, "busybox"), 0o755);
    for (const a of APPLETS) fs.symlinkSync("busybox", path.join(bin, a));
    const etc = path.join(this.base, "etc");
    fs.mkdirSync(etc);
    fs.writeFileSync(
      path.join(etc, "passwd"),
      "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n",
    );
    fs.writeFileSync(
      path.join(etc, "group"),
      "root:x:0:\nalice:x:1000:\nbob:x:1001:\nwheel:x:10:alice\nstaff:x:50:alice,bob\n",
    );
    fs.mkdirSync(path.join(this.base, "tmp"), { mode: 0o1777 });
    fs.chmodSync(path.join(this.base, "tmp"), 0o1777);
  }

  /** A fresh layer dir (for lowerDirs or an extra layer). */
  layer(files: Record<string, string> = {}): string {
    const d = path.join(this.dir, `layer${this.n++}`);
    fs.mkdirSync(d);
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
      fs.writeFileSync(path.join(d, rel), content);
    }
    return d;
  }

  /** A RunSpec over `lowerDirs` (default: the busybox base) with fresh upper/work dirs. */
  spec(command: string[], overrides: Partial<RunSpec> = {}): RunSpec {
    const id = this.n++;
    return {
      lowerDirs: [this.base],
      upperDir: path.join(this.dir, `upper${id}`),
      workDir: path.join(this.dir, `work${id}`),
      command,
      env: ["PATH=/bin"],
      cwd: "/",
      hostname: "tsbuild-test",
      network: "none",
      mounts: [],
      ...overrides,
    };
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Collects a step's output as text. */
export function captureIO(): RunIO & { out: () => string; err: () => string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return {
    stdout: (c) => out.push(c),
    stderr: (c) => err.push(c),
    out: () => Buffer.concat(out).toString(),
    err: () => Buffer.concat(err).toString(),
  };
}

/** Mount points below `dir` in the host's mount namespace (must be none after every test). */
export function mountsUnder(dir: string): string[] {
  const table = execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" });
  return table.split("\n").filter((t) => t.startsWith(dir));
}

/** Host processes whose argv is exactly `argv`. */
export function processesWithArgv(...argv: string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8") === wanted) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** A `node -e` script that can require the TypeScript sources (transpiled on load), then runs `body`. */
export function nodeScriptWithTs(body: string): string {
  const ts = require.resolve("typescript");
  return `
    const ts = require(${JSON.stringify(ts)});
    const fs = require("fs");
    require.extensions[".ts"] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, "utf8"),
      { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);
    ${body}
  `;
}
