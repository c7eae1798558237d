import type { Argv, ArgumentsCamelCase } from "yargs";
import type { OciManifest } from "../../image/manifest";
import { formatSize } from "../../cache/units";
import type { CliCommand } from "../command";
import { timeAgo } from "../human-time";
import { familiarName, tryParseReference } from "../../registry/reference";
import { splitTag } from "../stored-image";
import { formatTable } from "../table";
import { openStore, withCacheDirOption } from "../store-option";
import type { CacheStore } from "../../cache";
import { readAll } from "../../bytes";

/**
 * `tsbuild images [REPOSITORY[:TAG]]`: the local image store as `docker images` lists it. SIZE is
 * the sum of the compressed layer blobs plus config (what the store holds and a push would send).
 */
export const imagesCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .positional("reference", {
        type: "string",
        describe: "only images of this repository (or repository:tag)",
      })
      .option("quiet", { alias: "q", type: "boolean", describe: "only show image IDs" })
      .option("no-trunc", { type: "boolean", describe: "do not truncate image IDs" })
      .option("digests", { type: "boolean", describe: "show manifest digests" })
      .parserConfiguration({ "boolean-negation": false }),
  run: async (args: ArgumentsCamelCase) => {
    const store = await openStore(args);
    const filter = typeof args.reference === "string" ? args.reference : undefined;
    const noTrunc = args.noTrunc === true;
    const entries = (await store.images.list())
      .map((e) => ({ ...e, name: splitTag(e.tag) }))
      .filter((e) => filter === undefined || matches(e.name, filter))
      .sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || a.tag.localeCompare(b.tag));
    const id = (digest: string): string => (noTrunc ? digest : digest.slice(7, 19));
    if (args.quiet === true) {
      const ids = [...new Set(entries.map((e) => id(e.configDigest)))];
      process.stdout.write(ids.map((i) => i + "\n").join(""));
      return 0;
    }
    const digests = args.digests === true;
    const rows: string[][] = [];
    for (const e of entries) {
      const size = await imageSize(store, e.manifestDigest);
      const row = [e.name[0], e.name[1]];
      if (digests) row.push(e.manifestDigest);
      row.push(id(e.configDigest), timeAgo(e.created), size === undefined ? "N/A" : formatSize(size));
      rows.push(row);
    }
    const headers = digests
      ? ["REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"]
      : ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"];
    process.stdout.write(formatTable(headers, rows));
    return 0;
  },
};

/** `images NAME` lists every tag of NAME, `images NAME:TAG` that one (like docker images). */
function matches([repo, tag]: [string, string], filter: string): boolean {
  const ref = tryParseReference(filter, { defaultTag: false });
  if (ref === undefined) return false;
  return repo === familiarName(ref) && (ref.tag === undefined || tag === ref.tag);
}

/** Config + layers from the stored manifest; undefined when the manifest is unreadable. */
async function imageSize(store: CacheStore, manifestDigest: string): Promise<number | undefined> {
  try {
    const bytes = await readAll(await store.blobs.open(manifestDigest));
    // A stored, digest-verified manifest (built by tsbuild or checked when pulled).
    const manifest = JSON.parse(bytes.toString("utf8")) as OciManifest;
    return manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
  } catch {
    return undefined;
  }
}
