import type { Argv, ArgumentsCamelCase } from "yargs";
import { formatSize } from "../../cache/units";
import type { CliCommand } from "../command";
import { timeAgo } from "../human-time";
import { loadStoredImage } from "../stored-image";
import { formatTable } from "../table";
import { openStore, withCacheDirOption } from "../store-option";

/** `docker history` truncates CREATED BY to 45 columns, ending in "…". */
const CREATED_BY_WIDTH = 45;

/**
 * `tsbuild history NAME`: the config's history, newest first, as `docker history` prints it.
 * Only the top entry has an IMAGE (the image ID): intermediate images are not stored. SIZE is
 * the compressed layer blob's size for entries that made a layer, 0B for metadata-only ones.
 */
export const historyCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .positional("name", { type: "string", describe: "tag, image ID or manifest digest" })
      .option("no-trunc", { type: "boolean", describe: "do not truncate output" })
      .option("quiet", { alias: "q", type: "boolean", describe: "only show image IDs" })
      .parserConfiguration({ "boolean-negation": false }),
  run: async (args: ArgumentsCamelCase) => {
    const store = await openStore(args);
    const stored = await loadStoredImage(store, String(args.name));
    const noTrunc = args.noTrunc === true;
    const id = noTrunc ? stored.entry.configDigest : stored.entry.configDigest.slice(7, 19);
    const history = stored.config.history ?? [];
    let layer = 0;
    const rows = history.map((h) => {
      const size = h.empty_layer === true ? 0 : (stored.manifest.layers[layer++]?.size ?? 0);
      const createdBy = h.created_by ?? "";
      return {
        created: h.created === undefined ? "N/A" : timeAgo(h.created),
        createdBy: noTrunc ? createdBy : truncate(createdBy.replace(/\s+/g, " "), CREATED_BY_WIDTH),
        size: formatSize(size),
        comment: h.comment ?? "",
      };
    });
    rows.reverse();
    if (args.quiet === true) {
      process.stdout.write(rows.map((_, i) => (i === 0 ? id : "<missing>") + "\n").join(""));
      return 0;
    }
    const table = rows.map((r, i) => [i === 0 ? id : "<missing>", r.created, r.createdBy, r.size, r.comment]);
    process.stdout.write(formatTable(["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], table));
    return 0;
  },
};

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join("") + "…";
}
