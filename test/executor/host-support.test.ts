import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { detectHostSupport } from "../../src/executor/host-support";
import { repoRoot } from "../support/paths";
import { nodeScriptWithTs } from "./sandbox-fixture";

describe("detectHostSupport", () => {
  test("finds the host tools as root and caches the answer", async () => {
    const first = detectHostSupport();
    expect(detectHostSupport()).toBe(first);
    const tools = await first;
    expect(path.isAbsolute(tools.unshare)).toBe(true);
    expect(path.isAbsolute(tools.setpriv)).toBe(true);
  });

  test("a non-root process gets a clear typed error", () => {
    const script = nodeScriptWithTs(`
      const { detectHostSupport } = require(${JSON.stringify(path.join(repoRoot, "src/executor/host-support.ts"))});
      detectHostSupport().then(() => console.log("supported"), (e) => console.log(e.name, e.code, e.message));
    `);
    const out = execFileSync(
      "setpriv",
      ["--reuid", "65534", "--regid", "65534", "--clear-groups", "--", process.execPath, "-e", script],
      {
        cwd: "/",
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe(
      "ExecutorError EXECUTOR_UNSUPPORTED RUN needs root on Linux with overlayfs and util-linux: running as uid 65534",
    );
  });
});
