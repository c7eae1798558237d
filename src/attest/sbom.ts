import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { TsbuildError } from "../errors";
import type { Image } from "../image/image";
import { writeLocal } from "../output/local";
import { SPDX_DOCUMENT, purl, type InTotoStatement } from "./in-toto";
import { childProcess } from "../lazy-builtins";

/** `--sbom` was asked for but no scanner can be run. */
export class SbomScannerMissingError extends TsbuildError {
  constructor() {
    super(
      "SBOM_SCANNER_MISSING",
      "--sbom: no SBOM scanner is available: tsbuild runs syft or trivy to scan the image, and neither is on PATH. " +
        "Install one (https://github.com/anchore/syft or https://trivy.dev), or name it with TSBUILD_SBOM_SCANNER=/path/to/syft|trivy, " +
        "or build without --sbom / --attest type=sbom.",
    );
  }
}

/** A scanner run that failed (non-zero exit, output that is not JSON). */
export class SbomScanError extends TsbuildError {}

export interface SbomScanner {
  kind: "syft" | "trivy";
  path: string;
}

/** `$TSBUILD_SBOM_SCANNER`, else syft, else trivy on PATH; undefined when none is executable. */
export function findSbomScanner(env: NodeJS.ProcessEnv = process.env): SbomScanner | undefined {
  const explicit = env.TSBUILD_SBOM_SCANNER;
  if (explicit !== undefined && explicit !== "") {
    const kind = path.basename(explicit).startsWith("trivy") ? "trivy" : "syft";
    return executable(explicit) ? { kind, path: explicit } : undefined;
  }
  for (const kind of ["syft", "trivy"] as const) {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
      if (dir === "") continue;
      const candidate = path.join(dir, kind);
      if (executable(candidate)) return { kind, path: candidate };
    }
  }
  return undefined;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * An SPDX SBOM of the image's filesystem as an in-toto statement (predicate type
 * https://spdx.dev/Document, as BuildKit's SBOM generator writes): the image is unpacked into
 * `tmpDir` and scanned there.
 */
export async function sbomStatement(
  image: Image,
  subject: { names: { name: string; tag?: string }[]; digest: string; platform: string },
  tmpDir: string,
  env: NodeJS.ProcessEnv,
): Promise<InTotoStatement> {
  const scanner = findSbomScanner(env);
  if (scanner === undefined) throw new SbomScannerMissingError();
  const root = await fsp.mkdtemp(path.join(tmpDir, "sbom-"));
  try {
    await writeLocal(image, root);
    const args =
      scanner.kind === "syft"
        ? ["scan", `dir:${root}`, "-o", "spdx-json", "-q"]
        : ["fs", "--quiet", "--format", "spdx-json", root];
    const out = await run(scanner.path, args);
    let predicate: unknown;
    try {
      predicate = JSON.parse(out);
    } catch {
      throw new SbomScanError("SBOM_SCAN", `--sbom: ${scanner.kind} did not print an SPDX JSON document`);
    }
    const hex = subject.digest.replace(/^sha256:/, "");
    return {
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType: SPDX_DOCUMENT,
      subject: subject.names.map((n) => ({
        name: purl(n.name, n.tag, subject.platform),
        digest: { sha256: hex },
      })),
      predicate,
    };
  } finally {
    await fsp.rm(root, { recursive: true, force: true });
  }
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    child.on("error", (e) => reject(new SbomScanError("SBOM_SCAN", `--sbom: run ${file}: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(new SbomScanError("SBOM_SCAN", `--sbom: ${file} exited ${code}: ${err.trim().slice(-500)}`));
    });
  });
}
