import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  ConformanceSourceError,
  loadManifest,
  resolveConformanceDir,
  verifyDir,
  type ConformanceManifest,
} from "../support/conformance-source";
import { repoRoot } from "../support/paths";

/**
 * How `npm run test:conformance` finds BuildKit's vectors, against a real HTTP server on
 * 127.0.0.1 standing in for raw.githubusercontent.com. Needs nothing outside the repository.
 */
const sha = (s: string): string => createHash("sha256").update(s).digest("hex");
const FILES: Record<string, string> = {
  "frontend/dockerfile/shell/wordsTest": "ENV trailing=ab c   \n",
  "frontend/dockerfile/parser/testfiles-negative/empty_dockerfile/Dockerfile": "",
};
const manifest: ConformanceManifest = {
  repository: "https://github.com/moby/buildkit",
  commit: "0".repeat(40),
  files: Object.fromEntries(Object.entries(FILES).map(([k, v]) => [k, sha(v)])),
};

describe("conformance vectors source", () => {
  let tmp: string;
  let server: http.Server;
  let base: string;
  let served: Record<string, string>;
  const requests: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const rel = (req.url ?? "").replace(/^\/pinned\//, "");
      requests.push(rel);
      const body = served[rel];
      if (body === undefined) res.writeHead(404).end();
      else res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pinned/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-conformance-src-"));
    // A repository with no ../shared beside it.
    fs.mkdirSync(path.join(tmp, "repo"));
    served = { ...FILES };
    requests.length = 0;
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const resolve = (env: NodeJS.ProcessEnv = {}) =>
    resolveConformanceDir({
      repoRoot: path.join(tmp, "repo"),
      env,
      manifest,
      baseUrl: base,
      timeoutMs: 5000,
    });

  test("the committed manifest pins 74 files of BuildKit 73ed6825c4b7", () => {
    const m = loadManifest(repoRoot);
    expect(m.commit).toBe("73ed6825c4b7569379ef89df0aedcdbe64473d31");
    expect(Object.keys(m.files)).toHaveLength(74);
    expect(Object.keys(m.files).filter((f) => f.endsWith("/result"))).toHaveLength(33);
  });

  test("fetches into the cache, checks every sha256, and reads the cache in place next time", async () => {
    const dir = await resolve();
    expect(dir).toBe(
      path.join(tmp, "repo", "node_modules", ".cache", "tsbuild-conformance", manifest.commit),
    );
    expect(fs.readFileSync(path.join(dir, "frontend/dockerfile/shell/wordsTest"), "utf8")).toBe(
      FILES["frontend/dockerfile/shell/wordsTest"],
    );
    expect(verifyDir(dir, manifest)).toEqual([]);
    expect(requests.sort()).toEqual(Object.keys(FILES).sort());
    requests.length = 0;
    expect(await resolve()).toBe(dir);
    expect(requests).toEqual([]);
  });

  test("a fetched file with another sha256 is refused and never lands in the cache", async () => {
    served["frontend/dockerfile/shell/wordsTest"] = "ENV trailing=ab c\n"; // trailing spaces lost
    const err = await resolve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConformanceSourceError);
    expect((err as Error).message).toMatch(/wordsTest: sha256 [0-9a-f]{64}, want [0-9a-f]{64}/);
    expect((err as Error).message).toContain("Set TSBUILD_CONFORMANCE_DIR");
    const cached = path.join(tmp, "repo", "node_modules", ".cache", "tsbuild-conformance", manifest.commit);
    expect(fs.existsSync(path.join(cached, "frontend/dockerfile/shell/wordsTest"))).toBe(false);
    // No fetch is still in flight once it has thrown: nothing lands in the cache afterwards.
    const listing = (): string[] => fs.readdirSync(cached, { recursive: true }).map(String).sort();
    const before = listing();
    await new Promise((r) => setTimeout(r, 200));
    expect(listing()).toEqual(before);
    expect(before.filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  test("no network: a clear message naming the URL, the reason and what to set", async () => {
    // A port nobody listens on: a server's port, once it has closed.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await resolveConformanceDir({
      repoRoot: path.join(tmp, "repo"),
      env: { TSBUILD_CONFORMANCE_URL: `http://127.0.0.1:${port}/pinned/` },
      manifest,
      timeoutMs: 5000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConformanceSourceError);
    expect((err as Error).message).toMatch(
      new RegExp(`fetch http://127\\.0\\.0\\.1:${port}/pinned/frontend/.*ECONNREFUSED`),
    );
    expect((err as Error).message).toContain(`moby/buildkit at ${manifest.commit}`);
  });

  test("$TSBUILD_CONFORMANCE_DIR wins, is read in place, and must be byte-exact", async () => {
    const mine = path.join(tmp, "mine");
    for (const [rel, body] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(mine, rel)), { recursive: true });
      fs.writeFileSync(path.join(mine, rel), body);
    }
    expect(await resolve({ TSBUILD_CONFORMANCE_DIR: mine })).toBe(mine);
    expect(requests).toEqual([]);
    fs.rmSync(path.join(mine, "frontend/dockerfile/parser/testfiles-negative/empty_dockerfile/Dockerfile"));
    await expect(resolve({ TSBUILD_CONFORMANCE_DIR: mine })).rejects.toThrow(
      /TSBUILD_CONFORMANCE_DIR .* \(1 of 2 files\): .*empty_dockerfile\/Dockerfile: missing/,
    );
  });

  test("../shared/conformance/buildkit beside the clone comes before fetching", async () => {
    const shared = path.join(tmp, "shared", "conformance", "buildkit");
    for (const [rel, body] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(shared, rel)), { recursive: true });
      fs.writeFileSync(path.join(shared, rel), body);
    }
    expect(await resolve()).toBe(shared);
    expect(requests).toEqual([]);
  });
});
