import { execFileSync } from "node:child_process";
import { createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type * as net from "node:net";
import * as path from "node:path";

/**
 * A tiny Docker token service for tests (127.0.0.1 only): issues RS256 JWTs whose x5c header
 * carries a self-signed certificate that the registry's `auth.token.rootcertbundle` trusts.
 * Known users get the actions they ask for; anonymous callers get "pull" only.
 */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Every token request: the user ("" when anonymous) and the scopes asked for. */
  requests: Array<{ user: string; scopes: string[] }>;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

export async function startTokenServer(dir: string, users: Record<string, string>): Promise<TokenServer> {
  const keyFile = path.join(dir, "token.key");
  const certFile = path.join(dir, "token.crt");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=tsbuild-test-token",
    ],
    { stdio: "pipe" },
  );
  const key: KeyObject = createPrivateKey(fs.readFileSync(keyFile));
  const certDer = fs
    .readFileSync(certFile, "utf8")
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "");
  const service = "tsbuild-test-registry";
  const issuer = "tsbuild-test-issuer";
  const requests: TokenServer["requests"] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let user = "";
    const auth = req.headers.authorization;
    if (auth?.startsWith("Basic ")) {
      const [u, p] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
      if (!u || users[u] !== p) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end('{"details":"bad credentials"}');
        return;
      }
      user = u;
    }
    const scopes = url.searchParams.getAll("scope");
    requests.push({ user, scopes });
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(":") as [string, string, string];
      const wanted = (actions ?? "").split(",").filter(Boolean);
      return { type, name, actions: user ? wanted : wanted.filter((a) => a === "pull") };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: user,
      aud: url.searchParams.get("service") ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString("hex"),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${b64url(sign("sha256", Buffer.from(signingInput), key))}`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
