import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export interface TlsServer {
  server: https.Server;
  /** https://127.0.0.1:PORT */
  origin: string;
  /** The self-signed certificate (PEM file) that trusts the server. */
  certFile: string;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 with a fresh self-signed certificate written into `dir`. */
export async function selfSignedServer(dir: string, handler: http.RequestListener): Promise<TlsServer> {
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" }); // prettier-ignore
  const server = https.createServer(
    { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) },
    handler,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
