import * as fs from "node:fs";
import * as path from "node:path";
import { cli, helloDir, rm, tempDir } from "./helpers";

/** --cache-to / --cache-from through the CLI, with the fields of issue #18, into a local cache dir. */
describe("tsbuild build --cache-to / --cache-from", () => {
  const dirs: string[] = [];
  afterEach(() => rm(...dirs.splice(0)));
  const temp = (prefix: string): string => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };

  test("machine A exports (mode=max, an unquoted cache-mounts list), machine B's build is all CACHED", async () => {
    const shared = temp("tsbuild-cli-shared-");
    const a = await cli(
      "build",
      "--progress",
      "plain",
      "--cache-dir",
      temp("tsbuild-cli-cache-a-"),
      "--cache-to",
      `type=local,dest=${shared},mode=max,cache-mounts=npm,apt,cache-mounts-max-size=10MB`,
      helloDir,
    );
    expect(a.status).toBe(0);
    expect(fs.existsSync(path.join(shared, "index.json"))).toBe(true);
    const b = await cli(
      "build",
      "--progress",
      "plain",
      "--cache-dir",
      temp("tsbuild-cli-cache-b-"),
      "--cache-from",
      `type=local,src=${shared}`,
      helloDir,
    );
    expect(b.status).toBe(0);
    expect(b.stderr).toContain("2/2 steps cached");
  });

  test("a field tsbuild does not know is a usage error, not ignored", async () => {
    const r = await cli("build", "--cache-to", "type=local,dest=/tmp/x,compression=zstd", helloDir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('unknown field "compression"');
  });
});
