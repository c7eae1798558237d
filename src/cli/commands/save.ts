import type { Argv, ArgumentsCamelCase } from "yargs";
import { UsageError } from "../../errors";
import { writeDockerArchive } from "../../output/docker-archive";
import { writeOciArchive } from "../../output/oci-archive";
import { localImageKey, tryParseReference } from "../../registry/reference";
import type { CliCommand } from "../command";
import { loadStoredImage } from "../stored-image";
import { openStore, stringList, withCacheDirOption } from "../store-option";
import { writeMultiImageArchive, type ArchiveImage } from "../../output/multi-archive";

/**
 * `tsbuild save NAME -o x.tar [--format oci|docker]`: the stored image as an OCI archive (default;
 * `skopeo copy oci-archive:x.tar ...`) or a Docker archive (`docker load -i x.tar`). The bytes
 * are the built image's: same manifest and config digests. Without -o the tar goes to stdout,
 * unless stdout is a terminal.
 */
export const saveCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .positional("names", {
        type: "string",
        array: true,
        describe: "tags, image IDs or manifest digests (several: one archive holding them all)",
      })
      .option("output", {
        alias: "o",
        type: "string",
        requiresArg: true,
        describe: "file to write (- or absent: stdout)",
      })
      .option("format", {
        choices: ["oci", "docker"],
        default: "oci",
        requiresArg: true,
        describe: "archive format",
      }),
  run: async (args: ArgumentsCamelCase) => {
    const names = stringList(args.names);
    if (names.length > 1) return saveSeveral(args, names);
    const name = names[0] ?? "";
    const output = typeof args.output === "string" ? args.output : "-";
    if (output === "") throw new UsageError("--output: empty value");
    if (output === "-" && process.stdout.isTTY === true) {
      throw new UsageError("save: refusing to write a tar to the terminal; use -o FILE or redirect stdout");
    }
    const store = await openStore(args);
    const stored = await loadStoredImage(store, name);
    const dest = output === "-" ? process.stdout : output;
    // A name that is a tag names the archive's image; an ID or digest falls back to the image's tags.
    const key = localImageKey(name);
    const tags = key !== undefined && stored.tags.includes(key) ? [key] : stored.tags;
    if (args.format === "docker") {
      await writeDockerArchive(stored.image, dest, { tags });
    } else {
      const first = tags[0];
      const refName = first === undefined ? undefined : (tryParseReference(first)?.tag ?? "latest");
      await writeOciArchive(stored.image, dest, refName !== undefined ? { refName } : {});
    }
    return 0;
  },
};

/** `save A B ...`: one archive with every image (each blob once) under the names given. */
async function saveSeveral(args: ArgumentsCamelCase, names: readonly string[]): Promise<number> {
  const output = typeof args.output === "string" ? args.output : "-";
  if (output === "") throw new UsageError("--output: empty value");
  if (output === "-" && process.stdout.isTTY === true) {
    throw new UsageError("save: refusing to write a tar to the terminal; use -o FILE or redirect stdout");
  }
  const store = await openStore(args);
  const images: ArchiveImage[] = [];
  for (const name of names) {
    const stored = await loadStoredImage(store, name);
    const key = localImageKey(name);
    const tags = key !== undefined && stored.tags.includes(key) ? [key] : stored.tags;
    // Several images cannot all be "latest": each is named in full (app:1.0), which skopeo's
    // oci-archive:FILE:app:1.0 selects.
    const refName = tags[0];
    images.push({ image: stored.image, tags, ...(refName !== undefined ? { refName } : {}) });
  }
  const format = args.format === "docker" ? "docker" : "oci";
  await writeMultiImageArchive(images, format, output === "-" ? process.stdout : output);
  return 0;
}
