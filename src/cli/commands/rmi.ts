import type { Argv, ArgumentsCamelCase } from "yargs";
import { localImageKey } from "../../registry/reference";
import type { CliCommand } from "../command";
import { findImage, StoredImageError } from "../stored-image";
import { openStore, stringList, withCacheDirOption } from "../store-option";

/**
 * `tsbuild rmi NAME...`: removes tags from the image index. A tag removes that tag; an image ID
 * or digest removes every tag of the image, but only with -f when there are several (as docker
 * refuses without -f). Blobs stay until `tsbuild prune` finds nothing references them.
 */
export const rmiCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .positional("names", { type: "string", array: true, describe: "tag, image ID or manifest digest" })
      .option("force", { alias: "f", type: "boolean", describe: "remove every tag of an image named by ID" }),
  run: async (args: ArgumentsCamelCase) => {
    const store = await openStore(args);
    let status = 0;
    for (const name of stringList(args.names)) {
      try {
        const key = localImageKey(name);
        const direct = key !== undefined ? await store.images.get(key) : undefined;
        let tags: string[];
        if (key !== undefined && direct !== undefined) {
          tags = [key];
        } else {
          const found = await findImage(store, name);
          if (found.tags.length > 1 && args.force !== true) {
            throw new StoredImageError(
              "STORED_IMAGE_IN_USE",
              `remove image ${name}: it is tagged ${found.tags.length} times (${found.tags.join(", ")}); remove the tags or use -f`,
            );
          }
          tags = found.tags;
        }
        for (const tag of tags) {
          if ((await store.images.untag(tag)) !== undefined) process.stdout.write(`Untagged: ${tag}\n`);
        }
      } catch (err) {
        // Like docker: report each failure, carry on with the other names, exit 1 at the end.
        if (!(err instanceof StoredImageError)) throw err;
        process.stderr.write(`error: ${err.message}\n`);
        status = 1;
      }
    }
    return status;
  },
};
