import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureDist, mainJs, tempDir, tempTree } from "./helpers";

/**
 * A cached rebuild through the bin loads none of the built-ins it never uses
 * (src/lazy-builtins.ts): each costs start-up time, node:child_process most (with net and dgram).
 * A build that runs a step loads them when it needs them.
 */
const LAZY = ["child_process", "zlib", "net", "dgram"];

describe("start-up loads only the built-ins a build uses", () => {
  let dir: string;
  let context: string;
  beforeAll(() => {
    ensureDist();
    dir = tempDir("tsbuild-lazy-builtins-");
    context = tempTree({ Dockerfile: "FROM scratch\nCOPY a.txt /a.txt\nENV X=1\n", "a.txt": "a\n" });
    // Records the built-ins the process loaded after Node's own bootstrap.
    fs.writeFileSync(
      path.join(dir, "record.js"),
      "const base = new Set(process.moduleLoadList);\n" +
        "process.on('exit', () => require('fs').writeFileSync(process.env.RECORD_TO, " +
        "JSON.stringify(process.moduleLoadList.filter((m) => !base.has(m)))));\n",
    );
  }, 300_000);

  const buildLoading = (tag: string): string[] => {
    const out = path.join(dir, `${tag}.json`);
    // stderr to a file: a pipe would load net itself (Node's stdio streams on pipes are sockets).
    const log = path.join(dir, `${tag}.log`);
    const fd = fs.openSync(log, "w");
    let r: ReturnType<typeof spawnSync>;
    try {
      r = spawnSync(
        process.execPath,
        [
          "-r",
          path.join(dir, "record.js"),
          mainJs,
          "build",
          "--progress",
          "plain",
          "--cache-dir",
          path.join(dir, "cache"),
          "-t",
          `lazy:${tag}`,
          context,
        ],
        { env: { ...process.env, RECORD_TO: out }, stdio: ["ignore", fd, fd] },
      );
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(log, "utf8")).toContain(`Built lazy:${tag}`);
    expect(r.status).toBe(0);
    const loaded = JSON.parse(fs.readFileSync(out, "utf8")) as string[];
    return loaded.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
  };

  test("a no-change rebuild loads no child_process, zlib or net", () => {
    buildLoading("first");
    const loaded = buildLoading("again");
    expect(loaded).toContain("fs/promises"); // the recorder sees the build's own loads
    expect(loaded.filter((m) => LAZY.includes(m))).toEqual([]);
  }, 120_000);
});
