import { serializeConfig, type ImageConfig } from "../../src/image/config";
import { assertDigest, isDigest, sha256Digest } from "../../src/image/digest";
import { InvalidDigestError } from "../../src/image/errors";
import {
  appendLayers,
  configBlob,
  emptyImage,
  imageDigest,
  imageManifest,
  withConfig,
} from "../../src/image/image";
import type { Layer } from "../../src/image/layer";
import { serializeIndex, singleManifestIndex } from "../../src/image/manifest";
import { Readable } from "node:stream";

function fakeLayer(n: number): Layer {
  const d = sha256Digest(`blob${n}`);
  const diff = sha256Digest(`tar${n}`);
  return {
    digest: async () => d,
    diffId: async () => diff,
    size: async () => 100 + n,
    mediaType: async () => "application/vnd.oci.image.layer.v1.tar+gzip",
    compressed: async () => Readable.from([]),
    uncompressed: async () => Readable.from([]),
  };
}

describe("Image", () => {
  const scratch = emptyImage({ architecture: "arm64", os: "linux", variant: "v8" });

  it("FROM scratch has no layers and an empty rootfs", () => {
    expect(scratch.layers).toEqual([]);
    expect(JSON.parse(configBlob(scratch).toString())).toEqual({
      architecture: "arm64",
      config: {},
      os: "linux",
      rootfs: { type: "layers", diff_ids: [] },
      variant: "v8",
    });
  });

  it("appendLayers and withConfig return new images and leave the old one alone", async () => {
    const withEnv = withConfig(scratch, (c) => {
      c.config.Env = ["A=1"];
      c.history = [...(c.history ?? []), { created_by: "ENV A=1", empty_layer: true }];
    });
    const one = await appendLayers(withEnv, [fakeLayer(1)], [{ created_by: "COPY x /" }]);
    const two = await appendLayers(one, [fakeLayer(2)]);
    expect(scratch.config.config.Env).toBeUndefined();
    expect(one.layers).toHaveLength(1);
    expect(two.config.rootfs.diff_ids).toEqual([sha256Digest("tar1"), sha256Digest("tar2")]);
    expect(two.config.history).toEqual([
      { created_by: "ENV A=1", empty_layer: true },
      { created_by: "COPY x /" },
      {},
    ]);
    expect(() => (two.config.config as { Env?: string[] }).Env?.push("B=2")).toThrow();
    const m = await imageManifest(two);
    expect(m.layers.map((l) => l.size)).toEqual([101, 102]);
    expect(m.config.digest).toBe(sha256Digest(configBlob(two)));
  });

  it("withConfig cannot desynchronize rootfs from the layers", async () => {
    const one = await appendLayers(scratch, [fakeLayer(1)]);
    const tampered = withConfig(one, (c) => {
      c.rootfs.diff_ids = [];
    });
    expect(tampered.config.rootfs.diff_ids).toEqual([sha256Digest("tar1")]);
  });

  it("serializes the config in BuildKit's key order with sorted maps and omitted empties", () => {
    const config: ImageConfig = {
      os: "linux",
      architecture: "amd64",
      created: "2024-01-01T00:00:00Z",
      config: {
        Cmd: ["sh"],
        Labels: { z: "1", a: "2" },
        Env: ["PATH=/bin"],
        User: "",
        ExposedPorts: { "80/tcp": {} },
        WorkingDir: "/app",
        Healthcheck: { Retries: 3, Test: ["CMD", "true"] },
      },
      rootfs: { type: "layers", diff_ids: [] },
      history: [{ empty_layer: true, created_by: "CMD", created: "2024-01-01T00:00:00Z" }],
    };
    expect(serializeConfig(config).toString()).toBe(
      '{"architecture":"amd64","config":{"ExposedPorts":{"80/tcp":{}},"Env":["PATH=/bin"],"Cmd":["sh"],"WorkingDir":"/app","Labels":{"a":"2","z":"1"},"Healthcheck":{"Test":["CMD","true"],"Retries":3}},"created":"2024-01-01T00:00:00Z","history":[{"created":"2024-01-01T00:00:00Z","created_by":"CMD","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
  });

  it("gives the same digest for the same image built twice", async () => {
    const a = await appendLayers(
      withConfig(scratch, (c) => (c.created = "2024-01-01T00:00:00Z")),
      [fakeLayer(1)],
    );
    const b = await appendLayers(
      withConfig(scratch, (c) => (c.created = "2024-01-01T00:00:00Z")),
      [fakeLayer(1)],
    );
    expect(await imageDigest(a)).toBe(await imageDigest(b));
    expect(isDigest(await imageDigest(a))).toBe(true);
  });

  it("tags an index entry with the ref.name annotation", () => {
    const index = singleManifestIndex(
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256Digest("m"), size: 1 },
      "v1",
    );
    expect(JSON.parse(serializeIndex(index).toString()).manifests[0].annotations).toEqual({
      "org.opencontainers.image.ref.name": "v1",
    });
  });

  it("validates digests", () => {
    expect(() => assertDigest("sha256:ABC")).toThrow(InvalidDigestError);
    expect(() => assertDigest("md5:" + "0".repeat(32))).toThrow(/not sha256/);
    expect(assertDigest(sha256Digest("x"))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
