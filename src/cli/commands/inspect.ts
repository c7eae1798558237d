import type { Argv, ArgumentsCamelCase } from "yargs";
import type { CliCommand } from "../command";
import { loadStoredImage } from "../stored-image";
import { openStore, stringList, withCacheDirOption } from "../store-option";

/**
 * `tsbuild inspect NAME...`: each image's tags, digests, manifest and config as a JSON array
 * (an array like `docker inspect`, so several names can be inspected at once).
 */
export const inspectCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y).positional("names", {
      type: "string",
      array: true,
      describe: "tag, image ID or manifest digest",
    }),
  run: async (args: ArgumentsCamelCase) => {
    const store = await openStore(args);
    const names = stringList(args.names);
    const out: object[] = [];
    for (const name of names) {
      const stored = await loadStoredImage(store, name);
      out.push({
        id: stored.entry.configDigest,
        digest: stored.entry.manifestDigest,
        tags: stored.tags,
        created: stored.config.created ?? stored.entry.created,
        manifest: stored.manifest,
        config: stored.config,
      });
    }
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    return 0;
  },
};
