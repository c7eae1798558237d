import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cli, tempDir, tempTree } from "./helpers";

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

/** `--provenance` / `--attest type=provenance` stored as BuildKit stores it; `--sbom` without a scanner. */
describe("attestations", () => {
  let cache: string;
  let work: string;
  beforeAll(() => {
    cache = tempDir("tsbuild-attest-cache-");
    work = tempDir("tsbuild-attest-out-");
  });
  afterAll(() => {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  test.each([
    [["--provenance", "mode=max"], "max"],
    [["--attest", "type=provenance"], "min"],
  ])("%j: an attestation manifest in the image index with a SLSA v1 in-toto layer", async (flags, mode) => {
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY a.txt /\n", "a.txt": "a" });
    const archive = path.join(work, `${mode}.tar`);
    const r = await cli(
      "build",
      ...flags,
      "-t",
      "attested:1",
      "-o",
      `type=oci,dest=${archive}`,
      "--progress",
      "plain",
      "--cache-dir",
      cache,
      ctx,
    );
    expect(r.stderr).not.toContain("ERROR");
    expect(r.status).toBe(0);

    // skopeo reads the layout's one entry: the image index BuildKit writes.
    const index = JSON.parse(
      execFileSync("skopeo", ["inspect", "--raw", `oci-archive:${archive}`], { encoding: "utf8" }),
    ) as { mediaType: string; manifests: Descriptor[] };
    expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(index.manifests).toHaveLength(2);
    const [image, att] = index.manifests;
    expect(image.platform?.os).toBe("linux");
    expect(att.platform).toEqual({ architecture: "unknown", os: "unknown" });
    expect(att.annotations).toEqual({
      "vnd.docker.reference.digest": image.digest,
      "vnd.docker.reference.type": "attestation-manifest",
    });

    // The attestation manifest and its statement, read from the archive's blobs.
    const dir = path.join(work, `${mode}-x`);
    fs.mkdirSync(dir);
    execFileSync("tar", ["-xf", archive, "-C", dir]);
    const blob = (d: string): string => fs.readFileSync(path.join(dir, "blobs/sha256", d.slice(7)), "utf8");
    const manifest = JSON.parse(blob(att.digest)) as { layers: Descriptor[] };
    expect(manifest.layers).toHaveLength(1);
    const layer = manifest.layers[0];
    expect(layer.mediaType).toBe("application/vnd.in-toto+json");
    expect(layer.annotations).toEqual({ "in-toto.io/predicate-type": "https://slsa.dev/provenance/v1" });
    const statement = JSON.parse(blob(layer.digest)) as {
      _type: string;
      predicateType: string;
      subject: { name: string; digest: { sha256: string } }[];
      predicate: {
        buildDefinition: { buildType: string; internalParameters: Record<string, unknown> };
        runDetails: { metadata: { buildkit_metadata: Record<string, unknown> } };
      };
    };
    expect(statement._type).toBe("https://in-toto.io/Statement/v0.1");
    expect(statement.predicateType).toBe("https://slsa.dev/provenance/v1");
    expect(statement.subject[0].digest.sha256).toBe(image.digest.slice(7));
    expect(statement.subject[0].name).toMatch(/^pkg:docker\/attested@1\?platform=linux%2F/);
    expect(statement.predicate.buildDefinition.buildType).toBe("https://mobyproject.org/buildkit@v1");
    const hasSource = "source" in statement.predicate.runDetails.metadata.buildkit_metadata;
    expect(hasSource).toBe(mode === "max");
    expect("buildConfig" in statement.predicate.buildDefinition.internalParameters).toBe(mode === "max");

    // Every digest in the archive checks out for skopeo (all images, attestation included).
    execFileSync("skopeo", [
      "copy",
      "--all",
      `oci-archive:${archive}`,
      `oci:${path.join(work, `${mode}-copy`)}:x`,
    ]);
  });

  test("--sbom with no scanner on PATH: a clear error naming syft and trivy, before building", async () => {
    const ctx = tempTree({ Dockerfile: "FROM scratch\nCOPY a.txt /\n", "a.txt": "a" });
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const r = await cli("build", "--sbom", "--progress", "plain", "--cache-dir", cache, ctx);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("--sbom: no SBOM scanner is available");
      expect(r.stderr).toContain("syft or trivy");
      expect(r.stderr).toContain("TSBUILD_SBOM_SCANNER");
      expect(r.stderr).not.toContain("COPY a.txt");
    } finally {
      process.env.PATH = saved;
    }
  });

  test("bad --attest values are usage errors (exit 2)", async () => {
    const ctx = tempTree({ Dockerfile: "FROM scratch\n" });
    for (const flags of [
      ["--attest", "type=bogus"],
      ["--attest", "type=provenance,mode=huge"],
      ["--provenance", "mode=mid"],
    ]) {
      const r = await cli("build", ...flags, "--cache-dir", cache, ctx);
      expect(r.status).toBe(2);
    }
  });
});
