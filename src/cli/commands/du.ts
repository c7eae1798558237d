import type { Argv, ArgumentsCamelCase } from "yargs";
import { diskUsage } from "../../cache";
import { formatSize } from "../../cache/units";
import type { CliCommand } from "../command";
import { formatTable } from "../table";
import { openStore, withCacheDirOption } from "../store-option";

/** `tsbuild du`: what the cache directory holds and what `prune` / `prune --all` would free. */
export const duCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y).option("json", { type: "boolean", describe: "print the figures as JSON" }),
  run: async (args: ArgumentsCamelCase) => {
    const store = await openStore(args);
    const du = await diskUsage(store);
    if (args.json === true) {
      process.stdout.write(JSON.stringify({ dir: store.dir, ...du }, null, 2) + "\n");
      return 0;
    }
    const row = (what: string, part: { count: number; bytes: number }, note: string): string[] => [
      what,
      String(part.count),
      formatSize(part.bytes),
      note,
    ];
    const rows = [
      row("Images (blobs)", du.imageBlobs, "rmi, then prune"),
      row("Build cache (blobs)", du.cacheOnlyBlobs, "prune --all"),
      row("Compressed layers (blobs)", du.compressedBlobs, "prune --all"),
      row("Unreferenced blobs", du.unreferencedBlobs, "prune"),
      row(
        "Unpacked layers",
        du.unpackedLayers,
        du.orphanedLayers.count > 0
          ? `prune (${formatSize(du.orphanedLayers.bytes)} whose blob is gone), prune --all`
          : "prune --all",
      ),
      row("Cache mounts", du.cacheMounts, "prune --all"),
      row("Temp files", du.temp, "prune (dead writers'; others after 1h)"),
      row("Metadata files", du.metadata, ""),
      ["Other (directories)", "", formatSize(du.other.bytes), ""],
      ["Step records", String(du.records), "", ""],
      ["Tags", String(du.images), "", ""],
    ];
    process.stdout.write(
      formatTable(["TYPE", "COUNT", "SIZE", "RECLAIMABLE BY"], rows) +
        `Total: ${formatSize(du.totalBytes)} in ${store.dir}\n`,
    );
    return 0;
  },
};
