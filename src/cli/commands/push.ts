import { resolveNetworkLimits } from "../../net/limits";
import { networkArgs, networkOptionSpecs } from "../network-options";
import type { Argv, ArgumentsCamelCase } from "yargs";
import { pushImage } from "../../registry/push";
import { LayerCompressor } from "../../engine/layer-compression";
import type { Compression } from "../../image/media-types";
import type { CliCommand } from "../command";
import { loadStoredImage } from "../stored-image";
import { openStore, stringList, withCacheDirOption } from "../store-option";

/**
 * `tsbuild push NAME [--insecure-registry HOST] [--compression gzip|zstd|uncompressed]`: sends a
 * stored image to its registry, its built layers compressed on the way (cached, as for build
 * outputs; pulled base layers as pulled); prints the digest.
 */
export const pushCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .positional("name", { type: "string", describe: "registry/repository[:tag] as tagged by build -t" })
      .option("insecure-registry", {
        type: "string",
        requiresArg: true,
        describe: "registry host[:port] reachable over plain HTTP (loopback always is); repeatable",
      })
      .option("compression", {
        choices: ["gzip", "zstd", "uncompressed"],
        default: "gzip",
        requiresArg: true,
        describe: "compression of the layers tsbuild built",
      })
      .options(networkOptionSpecs(false)),
  run: async (args: ArgumentsCamelCase) => {
    const name = String(args.name);
    const store = await openStore(args);
    const stored = await loadStoredImage(store, name);
    const insecure = stringList(args.insecureRegistry);
    // yargs has checked the value against the option's `choices`.
    const compression = args.compression as Compression;
    const image = await new LayerCompressor(store).image(stored.image, { compression });
    const digest = await pushImage(image, name, {
      store,
      ...(insecure.length > 0 ? { insecure } : {}),
      client: { limits: resolveNetworkLimits(networkArgs(args), process.env) },
    });
    process.stdout.write(`${name}: digest: ${digest}\n`);
    return 0;
  },
};
