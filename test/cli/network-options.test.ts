import type { ArgumentsCamelCase } from "yargs";
import { networkArgs } from "../../src/cli/network-options";
import { UsageError } from "../../src/errors";
import { DEFAULT_NETWORK_LIMITS, resolveNetworkLimits } from "../../src/net/limits";

const args = (a: Record<string, unknown>): ArgumentsCamelCase => ({ _: [], $0: "tsbuild", ...a });

describe("network limit flags and environment", () => {
  it("defaults: 30 s idle, 1024 B/s, 1 h per request, 8 GiB per download, 32 GiB per layer", () => {
    expect(resolveNetworkLimits()).toEqual({
      idleTimeoutMs: 30_000,
      lowSpeedLimit: 1024,
      maxTimeMs: 3_600_000,
      maxDownloadSize: 8 * 1024 ** 3,
      maxLayerSize: 32 * 1024 ** 3,
    });
    expect(resolveNetworkLimits()).toEqual(DEFAULT_NETWORK_LIMITS);
  });

  it("flags win over the environment, which wins over the defaults", () => {
    const env = {
      TSBUILD_NETWORK_TIMEOUT: "1m",
      TSBUILD_MAX_DOWNLOAD_SIZE: "1GB",
      TSBUILD_NETWORK_MAX_TIME: "90",
      TSBUILD_MAX_LAYER_SIZE: "2GB",
    };
    const flags = networkArgs(args({ networkTimeout: "5s", networkLowSpeedLimit: "2KB" }));
    expect(resolveNetworkLimits(flags, env)).toEqual({
      idleTimeoutMs: 5_000,
      lowSpeedLimit: 2048,
      maxTimeMs: 90_000,
      maxDownloadSize: 1024 ** 3,
      maxLayerSize: 2 * 1024 ** 3,
    });
  });

  it.each([
    [{ networkTimeout: "soon" }, /--network-timeout: parse duration/],
    [{ maxDownloadSize: "0" }, /--max-download-size: must be more than zero/],
    [{ maxLayerSize: "lots" }, /--max-layer-size/],
    [{ networkMaxTime: "-1s" }, /--network-max-time/],
  ])("a bad flag is a UsageError naming it (%j)", (a, message) => {
    expect(() => networkArgs(args(a))).toThrow(UsageError);
    expect(() => networkArgs(args(a))).toThrow(message);
  });

  it("a bad environment value is a UsageError naming the variable", () => {
    expect(() => resolveNetworkLimits({}, { TSBUILD_NETWORK_LOW_SPEED_LIMIT: "fast" })).toThrow(
      /TSBUILD_NETWORK_LOW_SPEED_LIMIT: parse size/,
    );
  });
});
