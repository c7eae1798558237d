import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CacheStore } from "../../src/cache/cache-store";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { dockerConfigCredentials } from "../../src/registry/auth/docker-config";
import { RegistryError } from "../../src/registry/errors";
import { login, logout } from "../../src/registry/login";
import { pullImage } from "../../src/registry/pull";
import { pushImage } from "../../src/registry/push";
import { startRegistry, type TestRegistry } from "../support/registry";
import { busyboxImage } from "./images";
import { startTokenServer, type TokenServer } from "./token-server";

const platform = { os: "linux", architecture: "amd64" };

async function rejection(p: Promise<unknown>): Promise<RegistryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

describe("htpasswd basic auth against docker-registry", () => {
  let registry: TestRegistry;
  let tmp: string;
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { alice: "wonderland-pw" } });
  });
  afterAll(async () => {
    await registry.stop();
    await closeDeflatePool();
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-reg-auth-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("refuses anonymous and wrong-password pushes with REGISTRY_UNAUTHORIZED, without printing the password", async () => {
    const image = await busyboxImage(tmp);
    const anon = await rejection(
      pushImage(image, `${registry.host}/auth/bb:1`, { credentials: async () => undefined }),
    );
    expect(anon.code).toBe("REGISTRY_UNAUTHORIZED");
    expect(anon.message).toContain(`tsbuild login ${registry.host}`);
    const wrong = await rejection(
      pushImage(image, `${registry.host}/auth/bb:1`, {
        credentials: async () => ({ username: "alice", password: "not-the-pw" }),
      }),
    );
    expect(wrong.code).toBe("REGISTRY_UNAUTHORIZED");
    expect(wrong.message).not.toContain("not-the-pw");
  });

  it("login writes config.json; push and pull use it; logout removes it", async () => {
    const configFile = path.join(tmp, "docker", "config.json");
    await expect(
      login(registry.host, { username: "alice", password: "bad" }, { configFile }),
    ).rejects.toMatchObject({ code: "REGISTRY_UNAUTHORIZED" });
    expect(fs.existsSync(configFile)).toBe(false);
    await login(registry.host, { username: "alice", password: "wonderland-pw" }, { configFile });
    const written = JSON.parse(fs.readFileSync(configFile, "utf8")) as {
      auths: Record<string, { auth: string }>;
    };
    expect(Buffer.from(written.auths[registry.host]?.auth ?? "", "base64").toString()).toBe(
      "alice:wonderland-pw",
    );
    expect(fs.statSync(configFile).mode & 0o777).toBe(0o600);

    const credentials = dockerConfigCredentials(configFile);
    const image = await busyboxImage(tmp);
    const digest = await pushImage(image, `${registry.host}/auth/bb:1`, { credentials });
    const store = await CacheStore.open(path.join(tmp, "cache"));
    const pulled = await pullImage(`${registry.host}/auth/bb:1`, { store, credentials, platform });
    expect(pulled.digest).toBe(digest);

    expect(await logout(registry.host, { configFile })).toBe(true);
    expect(await dockerConfigCredentials(configFile)(registry.host)).toBeUndefined();
    expect(await logout(registry.host, { configFile })).toBe(false);
  });
});

describe("bearer token flow against docker-registry with auth.token", () => {
  let registry: TestRegistry;
  let tokens: TokenServer;
  let tmp: string;
  let keyDir: string;
  beforeAll(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-reg-token-"));
    tokens = await startTokenServer(keyDir, { bob: "builder-pw" });
    registry = await startRegistry({
      token: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        rootCertBundle: tokens.certFile,
      },
    });
  });
  afterAll(async () => {
    await registry.stop();
    await tokens.stop();
    fs.rmSync(keyDir, { recursive: true, force: true });
    await closeDeflatePool();
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-reg-bearer-"));
    tokens.requests.length = 0;
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("pushes with credentials (token with pull,push scope) and pulls anonymously (pull-only token)", async () => {
    const image = await busyboxImage(tmp);
    const ref = `${registry.host}/bearer/bb:1`;
    const digest = await pushImage(image, ref, {
      credentials: async () => ({ username: "bob", password: "builder-pw" }),
    });
    expect(
      tokens.requests.some((r) => r.user === "bob" && r.scopes.includes("repository:bearer/bb:pull,push")),
    ).toBe(true);
    // One token serves the whole push: the scheme and token are cached per scope set.
    expect(tokens.requests).toHaveLength(1);

    tokens.requests.length = 0;
    const store = await CacheStore.open(path.join(tmp, "cache"));
    const pulled = await pullImage(ref, { store, credentials: async () => undefined, platform });
    expect(pulled.digest).toBe(digest);
    expect(tokens.requests).toEqual([{ user: "", scopes: ["repository:bearer/bb:pull"] }]);
  });

  it("an anonymous push gets a pull-only token and is refused with REGISTRY_UNAUTHORIZED", async () => {
    const image = await busyboxImage(tmp);
    const err = await rejection(
      pushImage(image, `${registry.host}/bearer/anon:1`, { credentials: async () => undefined }),
    );
    expect(err.code).toBe("REGISTRY_UNAUTHORIZED");
  });

  it("wrong credentials are refused by the token service", async () => {
    const image = await busyboxImage(tmp);
    const err = await rejection(
      pushImage(image, `${registry.host}/bearer/x:1`, {
        credentials: async () => ({ username: "bob", password: "wrong-pw" }),
      }),
    );
    expect(err.code).toBe("REGISTRY_UNAUTHORIZED");
    expect(err.message).toContain("token service");
    expect(err.message).not.toContain("wrong-pw");
  });
});
