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
import { GoTemplate } from "../go-template";

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
      .option("format", {
        type: "string",
        requiresArg: true,
        describe: "Go template per image ({{.Repository}}:{{.Tag}} {{.ID}}), 'table TEMPLATE', or json",
      })
      .option("json", { type: "boolean", describe: "print the images as a JSON array" })
      .conflicts("json", "format")
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
    if (typeof args.format === "string" || args.json === true) {
      const rows = await Promise.all(entries.map((e) => imageRow(store, e, id)));
      process.stdout.write(formatImages(rows, args.json === true ? "json-array" : String(args.format)));
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

/** One row of `images --format`: docker's field names. */
interface ImageRow {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  CreatedAt: string;
  CreatedSince: string;
  Size: string;
}

async function imageRow(
  store: CacheStore,
  e: { name: [string, string]; manifestDigest: string; configDigest: string; created: string },
  id: (d: string) => string,
): Promise<ImageRow> {
  const size = await imageSize(store, e.manifestDigest);
  return {
    ID: id(e.configDigest),
    Repository: e.name[0],
    Tag: e.name[1],
    Digest: e.manifestDigest,
    CreatedAt: e.created,
    CreatedSince: timeAgo(e.created),
    Size: size === undefined ? "N/A" : formatSize(size),
  };
}

/**
 * `--format json` (one object a line, as docker prints it), `--json` (one array), `table T` (a
 * header row of the field names, then T per image) or a Go template per image.
 */
function formatImages(rows: readonly ImageRow[], format: string): string {
  if (format === "json-array") return JSON.stringify(rows, null, 2) + "\n";
  if (format === "json") return rows.map((r) => JSON.stringify(r) + "\n").join("");
  if (format === "table" || format.startsWith("table ")) {
    const body =
      format === "table"
        ? "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
        : format.slice(6);
    const template = new GoTemplate(body);
    const header = new GoTemplate(
      body.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, f: string) => headerOf(f)),
    ).execute({});
    const lines = [header, ...rows.map((r) => template.execute(r))].map((l) => l.split("\t"));
    return formatTable(lines[0], lines.slice(1));
  }
  const template = new GoTemplate(format);
  return rows.map((r) => template.execute(r) + "\n").join("");
}

/** Docker's column title for a field: CreatedSince → CREATED, ID → IMAGE ID. */
function headerOf(field: string): string {
  const titles: Record<string, string> = { ID: "IMAGE ID", CreatedSince: "CREATED", CreatedAt: "CREATED AT" };
  return titles[field] ?? field.toUpperCase();
}

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
