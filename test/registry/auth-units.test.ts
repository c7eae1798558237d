import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseWwwAuthenticate } from "../../src/registry/auth/challenge";
import {
  eraseDockerCredentials,
  lookupDockerCredentials,
  storeDockerCredentials,
} from "../../src/registry/auth/docker-config";
import {
  hostPlatform,
  parsePlatform,
  platformMatches,
  selectManifest,
} from "../../src/registry/manifest-select";
import { parseRetryAfter } from "../../src/registry/retry";

describe("WWW-Authenticate parsing", () => {
  it("reads Docker Hub's bearer challenge", () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ),
    ).toEqual([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/alpine:pull",
        },
      },
    ]);
  });
  it("reads several challenges, unquoted values, escapes and odd spacing", () => {
    expect(
      parseWwwAuthenticate('Basic realm="a \\"q\\" b" , Bearer realm=https://x/t, service = svc'),
    ).toEqual([
      { scheme: "basic", params: { realm: 'a "q" b' } },
      { scheme: "bearer", params: { realm: "https://x/t", service: "svc" } },
    ]);
  });
  it("never throws on garbage", () => {
    for (const s of ["", "=", '"', "Bearer ,,,=,", 'Bearer realm="unterminated', "\u0000\u0001"])
      expect(() => parseWwwAuthenticate(s)).not.toThrow();
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});

describe("Retry-After", () => {
  it("accepts seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe("platform selection", () => {
  const d = (
    os: string,
    architecture: string,
    variant?: string,
  ): {
    mediaType: string;
    digest: string;
    size: number;
    platform: { os: string; architecture: string; variant?: string };
  } => ({
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest:
      "sha256:" +
      (os + architecture + (variant ?? ""))
        .padEnd(64, "0")
        .replace(/[^a-f0-9]/g, "0")
        .slice(0, 64),
    size: 1,
    platform: variant ? { os, architecture, variant } : { os, architecture },
  });
  const index = {
    schemaVersion: 2 as const,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      d("unknown", "unknown"),
      d("linux", "arm", "v6"),
      d("linux", "arm", "v7"),
      d("linux", "arm64", "v8"),
      d("linux", "amd64"),
    ],
  };
  it("picks the matching entry, normalizing default variants", () => {
    expect(selectManifest(index, { os: "linux", architecture: "amd64" }, "x").platform).toEqual({
      os: "linux",
      architecture: "amd64",
    });
    expect(selectManifest(index, { os: "linux", architecture: "arm64" }, "x").platform?.variant).toBe("v8");
    expect(selectManifest(index, { os: "linux", architecture: "arm" }, "x").platform?.variant).toBe("v7");
    expect(selectManifest(index, parsePlatform("linux/arm/v6"), "x").platform?.variant).toBe("v6");
    expect(
      platformMatches({ os: "linux", architecture: "arm64" }, { os: "linux", architecture: "arm64" }),
    ).toBe(true);
  });
  it("says which platforms exist when none matches", () => {
    expect(() => selectManifest(index, { os: "linux", architecture: "s390x" }, "pull x")).toThrow(
      "pull x: no manifest for platform linux/s390x (the index has linux/arm/v6, linux/arm/v7, linux/arm64/v8, linux/amd64)",
    );
  });
  it("parses platform flags and knows the host", () => {
    expect(parsePlatform("linux/arm64/v8")).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
    expect(() => parsePlatform("linux")).toThrow(/os\/arch/);
    expect(hostPlatform().os).toBe("linux");
  });
});

describe("docker config.json credentials", () => {
  let tmp: string;
  let savedPath: string | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-dockercfg-"));
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("reads auths entries written as hosts or URLs, Hub's v1 key, and identity tokens", async () => {
    const file = path.join(tmp, "config.json");
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    fs.writeFileSync(
      file,
      JSON.stringify({
        auths: {
          "reg.example:5000": { auth: b64("u1:p:with:colons") },
          "https://other.example/v1/": { auth: b64("u2:p2") },
          "https://index.docker.io/v1/": { auth: b64("hub:hp") },
          "tok.example": { identitytoken: "refresh-xyz" },
        },
        otherKey: { kept: true },
      }),
    );
    expect(await lookupDockerCredentials("reg.example:5000", file)).toEqual({
      username: "u1",
      password: "p:with:colons",
    });
    expect(await lookupDockerCredentials("other.example", file)).toEqual({ username: "u2", password: "p2" });
    expect(await lookupDockerCredentials("docker.io", file)).toEqual({ username: "hub", password: "hp" });
    expect(await lookupDockerCredentials("tok.example", file)).toEqual({ identityToken: "refresh-xyz" });
    expect(await lookupDockerCredentials("nowhere.example", file)).toBeUndefined();
    expect(await lookupDockerCredentials("x", path.join(tmp, "absent.json"))).toBeUndefined();
    await storeDockerCredentials("new.example", { username: "n", password: "np" }, file);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).otherKey).toEqual({ kept: true });
    expect(await eraseDockerCredentials("reg.example:5000", file)).toBe(true);
    expect(await lookupDockerCredentials("reg.example:5000", file)).toBeUndefined();
  });

  it("rejects an unparsable config with REGISTRY_CREDENTIALS", async () => {
    const file = path.join(tmp, "config.json");
    fs.writeFileSync(file, "{nope");
    await expect(lookupDockerCredentials("x", file)).rejects.toMatchObject({ code: "REGISTRY_CREDENTIALS" });
  });

  it("uses credHelpers / credsStore through the docker-credential-* protocol (get, store, erase)", async () => {
    const bin = path.join(tmp, "bin");
    const db = path.join(tmp, "helper-db");
    fs.mkdirSync(bin);
    fs.mkdirSync(db);
    // A file-backed helper speaking the real protocol: request on stdin, JSON on stdout.
    fs.writeFileSync(
      path.join(bin, "docker-credential-filetest"),
      `#!/bin/sh
DB=${db}
case "$1" in
  get) read -r url; f="$DB/$(printf %s "$url" | tr -c 'a-zA-Z0-9' _)"; if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) json=$(cat); url=$(printf %s "$json" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/'); printf %s "$json" > "$DB/$(printf %s "$url" | tr -c 'a-zA-Z0-9' _)" ;;
  erase) read -r url; rm -f "$DB/$(printf %s "$url" | tr -c 'a-zA-Z0-9' _)" ;;
esac
`,
      { mode: 0o755 },
    );
    process.env.PATH = `${bin}:${savedPath}`;
    const file = path.join(tmp, "config.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        credHelpers: { "helped.example": "filetest" },
        auths: { "helped.example": { auth: Buffer.from("ignored:x").toString("base64") } },
      }),
    );
    expect(await lookupDockerCredentials("helped.example", file)).toBeUndefined();
    await storeDockerCredentials("helped.example", { username: "h", password: "helper-secret" }, file);
    expect(fs.readFileSync(file, "utf8")).not.toContain("helper-secret");
    expect(await lookupDockerCredentials("helped.example", file)).toEqual({
      username: "h",
      password: "helper-secret",
    });
    await storeDockerCredentials("helped.example", { identityToken: "idt" }, file);
    expect(await lookupDockerCredentials("helped.example", file)).toEqual({ identityToken: "idt" });
    await eraseDockerCredentials("helped.example", file);
    expect(await lookupDockerCredentials("helped.example", file)).toBeUndefined();

    fs.writeFileSync(file, JSON.stringify({ credsStore: "missing-helper" }));
    await expect(lookupDockerCredentials("any.example", file)).rejects.toThrow(
      "run credential helper docker-credential-missing-helper get: not found on PATH",
    );
  });
});
