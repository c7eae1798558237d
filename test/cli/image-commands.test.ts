import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startRegistry, type TestRegistry } from "../support/registry";
import { bin, cli, ensureDist, tempDir, tempTree } from "./helpers";

/** `images --format|--json`, `inspect --format|--json`, `save A B`, `login -p|--password-stdin`. */
describe("image commands", () => {
  let cache: string;
  let work: string;
  beforeAll(async () => {
    cache = tempDir("tsbuild-imgcmd-cache-");
    work = tempDir("tsbuild-imgcmd-out-");
    for (const [tag, content] of [
      ["app:1", "one"],
      ["tool:2", "two"],
    ]) {
      const ctx = tempTree({
        Dockerfile: 'FROM scratch\nCOPY f /\nENV A=1 B=2\nLABEL k=v\nCMD ["/f"]\n',
        f: content,
      });
      const r = await cli("build", "-t", tag, "--progress", "quiet", "--cache-dir", cache, ctx);
      expect(r.status).toBe(0);
    }
  }, 300_000);
  afterAll(() => {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("images --format: a Go template per image; 'table' with headers; json lines; --json", async () => {
    const t = await cli("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", "--cache-dir", cache);
    const lines = t.stdout.trim().split("\n").sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^app:1 [0-9a-f]{12}$/);
    expect(lines[1]).toMatch(/^tool:2 [0-9a-f]{12}$/);
    const table = await cli("images", "--format", "table {{.Repository}}\\t{{.Tag}}", "--cache-dir", cache);
    expect(table.stdout.split("\n")[0]).toBe("REPOSITORY   TAG");
    const json = await cli("images", "--format", "json", "--cache-dir", cache);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { Repository: string; Tag: string; ID: string; Digest: string });
    expect(rows.map((r) => r.Repository).sort()).toEqual(["app", "tool"]);
    const array = JSON.parse((await cli("images", "--json", "--cache-dir", cache)).stdout) as unknown[];
    expect(array).toHaveLength(2);
  });

  test("inspect --format: {{.Id}}, {{json .Config}}, {{index .RepoTags 0}}, {{.Config.Labels.k}}, {{range}}", async () => {
    const id = (await cli("inspect", "--format", "{{.Id}}", "app:1", "--cache-dir", cache)).stdout.trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const plain = JSON.parse((await cli("inspect", "app:1", "--cache-dir", cache)).stdout) as {
      id: string;
    }[];
    expect(plain[0].id).toBe(id);
    const config = JSON.parse(
      (await cli("inspect", "-f", "{{json .Config}}", "app:1", "--cache-dir", cache)).stdout,
    ) as { Cmd: string[]; Labels: Record<string, string> };
    expect(config.Cmd).toEqual(["/f"]);
    expect(config.Labels).toEqual({ k: "v" });
    const r = await cli(
      "inspect",
      "--format",
      '{{index .RepoTags 0}} {{.Config.Labels.k}} {{index .Config.Labels "k"}} {{.Os}}/{{.Architecture}} {{range .Config.Env}}[{{.}}]{{end}}',
      "app:1",
      "tool:2",
      "--cache-dir",
      cache,
    );
    expect(r.stdout.split("\n")[0]).toMatch(/^app:1 v v linux\/\w+ (\[[^\]]+\])+$/);
    expect(r.stdout).toContain("[A=1][B=2]");
    expect(r.stdout.split("\n")[1]).toMatch(/^tool:2 /);
    const bad = await cli("inspect", "--format", "{{bogus .Id}}", "app:1", "--cache-dir", cache);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown function "bogus"');
    const out = await cli("inspect", "--format", "{{index .RepoTags 5}}", "app:1", "--cache-dir", cache);
    expect(out.status).toBe(1);
  });

  test("save A B: one OCI archive skopeo reads both from; --format docker has both in manifest.json", async () => {
    const oci = path.join(work, "both.tar");
    const r = await cli("save", "app:1", "tool:2", "-o", oci, "--cache-dir", cache);
    expect(r.status).toBe(0);
    for (const name of ["app:1", "tool:2"]) {
      const m = JSON.parse(
        execFileSync("skopeo", ["inspect", "--raw", `oci-archive:${oci}:${name}`], { encoding: "utf8" }),
      ) as { layers: unknown[] };
      expect(m.layers).toHaveLength(1);
    }
    const docker = path.join(work, "both-docker.tar");
    expect(
      (await cli("save", "app:1", "tool:2", "--format", "docker", "-o", docker, "--cache-dir", cache)).status,
    ).toBe(0);
    const manifest = JSON.parse(
      execFileSync("tar", ["-xOf", docker, "manifest.json"], { encoding: "utf8" }),
    ) as {
      RepoTags: string[];
    }[];
    expect(manifest.map((m) => m.RepoTags[0]).sort()).toEqual(["app:1", "tool:2"]);
  });

  describe("login against an htpasswd registry", () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      ensureDist();
      registry = await startRegistry({ htpasswd: { alice: "wonderland-pw" } });
    }, 600_000);
    afterAll(async () => {
      await registry?.stop();
    });

    test("-p works with docker's warning; --password-stdin without; a wrong password fails (exit 1)", () => {
      const dockerConfig = tempDir("tsbuild-login-");
      const env = { DOCKER_CONFIG: dockerConfig };
      const p = bin(["login", registry.host, "-u", "alice", "-p", "wonderland-pw"], { env });
      expect(p.stderr).toContain("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
      expect(p.stdout).toBe("Login Succeeded\n");
      expect(p.status).toBe(0);
      const config = JSON.parse(fs.readFileSync(path.join(dockerConfig, "config.json"), "utf8")) as {
        auths: Record<string, { auth: string }>;
      };
      expect(Buffer.from(Object.values(config.auths)[0].auth, "base64").toString()).toBe(
        "alice:wonderland-pw",
      );
      const s = bin(["login", registry.host, "-u", "alice", "--password-stdin"], {
        env,
        input: "wonderland-pw\n",
      });
      expect(s.status).toBe(0);
      expect(s.stderr).not.toContain("WARNING");
      const wrong = bin(["login", registry.host, "-u", "alice", "-p", "nope"], { env });
      expect(wrong.status).toBe(1);
      expect(
        bin(["login", registry.host, "-u", "alice", "-p", "x", "--password-stdin"], { env }).status,
      ).toBe(2);
      fs.rmSync(dockerConfig, { recursive: true, force: true });
    });
  });
});
