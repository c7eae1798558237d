import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PrivatePodman } from "../support/podman";
import { repoRoot } from "../support/paths";
import { ensureDist } from "./helpers";

/**
 * The README's quick start, as written: scripts/example.sh builds example/ (busybox httpd), then
 * the README's own `podman load` / `podman run -d -p` / `curl` / `podman rm` block runs in bash.
 * Only two things differ from a user's shell: podman gets this machine's flags and a private
 * store (a wrapper function), and port 8080 becomes a free loopback port.
 */
const README = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");

/** The fenced sh block of the README that runs the example image. */
function readmeRunBlock(): string {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const run = blocks.filter((b) => b.includes("podman load"));
  expect(run).toHaveLength(1);
  return run[0];
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("README quick start example", () => {
  let tmp: string;
  let podman: PrivatePodman;
  beforeAll(() => ensureDist());
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-quickstart-"));
    podman = new PrivatePodman();
  });
  afterEach(() => {
    podman.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("the README links tsbuild onto PATH, and the example uses the free npm name", () => {
    expect(fs.readFileSync(path.join(repoRoot, "scripts", "quickstart.sh"), "utf8")).toMatch(
      /^bash scripts\/link-cli\.sh$/m,
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      name: string;
      bin: Record<string, string>;
    };
    expect(pkg.name).toBe("tsbuild-engine");
    expect(Object.keys(pkg.bin)).toEqual(["tsbuild"]);
    expect(README).toContain(`import { build } from "${pkg.name}";`);
    expect(README).toContain(`npm i -g ${pkg.name}`);
    expect(README).toContain(`npx ${pkg.name} build`);
    expect(README).not.toMatch(/npx tsbuild |from "tsbuild"|npm i(nstall)? -g tsbuild\b(?!-)/);
  });

  test("scripts/link-cli.sh puts a working tsbuild on PATH (npm link into a private prefix)", () => {
    const prefix = path.join(tmp, "prefix");
    // npm (running jest through npx) exports its own prefix as npm_config_*: drop them all, so the
    // link can only land in the private prefix, never in the machine's global one.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)),
    );
    env.npm_config_prefix = prefix;
    env.PATH = `${prefix}/bin:${process.env.PATH ?? ""}`;
    const r = spawnSync("bash", [path.join(repoRoot, "scripts", "link-cli.sh")], { env, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.realpathSync(path.join(prefix, "bin", "tsbuild"))).toBe(
      path.join(repoRoot, "dist", "cli", "main.js"),
    );
    const version = spawnSync("tsbuild", ["--version"], { env, encoding: "utf8" });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The package is importable by its npm name from the linked prefix (the README's API line).
    const api = spawnSync(
      process.execPath,
      ["-e", 'const t = require("tsbuild-engine"); process.stdout.write(typeof t.build)'],
      { cwd: tmp, env: { ...env, NODE_PATH: path.join(prefix, "lib", "node_modules") }, encoding: "utf8" },
    );
    expect(api.stderr).toBe("");
    expect(api.stdout).toBe("function");
  });

  test("example.sh builds the image; podman loads and runs it; curl gets the page; cleaned up", async () => {
    const cache = path.join(tmp, "cache");
    const built = spawnSync("bash", [path.join(repoRoot, "scripts", "example.sh")], {
      cwd: tmp,
      env: { ...process.env, TSBUILD_CACHE_DIR: cache },
      encoding: "utf8",
    });
    expect(built.stderr).toMatch(/exporting to oci/);
    expect(built.status).toBe(0);
    expect(fs.readFileSync(path.join(tmp, "hello.iid"), "utf8")).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.stdout).toMatch(/^hello\s+latest\s+[0-9a-f]{12}\s/m);

    const port = await freePort();
    const block = readmeRunBlock();
    expect(block).toContain("127.0.0.1:8080:80");
    const script = [
      "set -euo pipefail",
      `podman() { if [ "$1" = run ]; then shift; set -- run ${PrivatePodman.RUN_FLAGS.join(" ")} "$@"; fi; ` +
        `command podman ${podman.baseArgs().join(" ")} "$@"; }`,
      block.replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`),
    ].join("\n");
    const ran = spawnSync("bash", ["-c", script], { cwd: tmp, encoding: "utf8", timeout: 180_000 });
    expect(ran.stderr).not.toMatch(/Error|curl:/);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain("<h1>Hello from an image built by tsbuild</h1>");
    expect(ran.stdout).toContain(
      fs.readFileSync(path.join(repoRoot, "example", "site", "index.html"), "utf8"),
    );
    // The block's own `podman rm -f` removed the container; the port is free again.
    expect(podman.podman(["ps", "-a", "-q"]).trim()).toBe("");
    await expect(
      new Promise<void>((resolve, reject) => {
        const srv = net.createServer().once("error", reject);
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
      }),
    ).resolves.toBeUndefined();
  });
});
