import type { Argv, ArgumentsCamelCase } from "yargs";
import type { CliCommand } from "../command";
import { GoTemplate } from "../go-template";
import { loadStoredImage, type StoredImage } from "../stored-image";
import { openStore, stringList, withCacheDirOption } from "../store-option";

/**
 * `tsbuild inspect NAME...`: each image's tags, digests, manifest and config as a JSON array
 * (an array like `docker inspect`, so several names can be inspected at once). `--format T`
 * renders T per image against docker's image-inspect fields (`{{.Id}}`, `{{.RepoTags}}`,
 * `{{json .Config}}`, `{{.Config.Env}}`, `{{.Architecture}}`, ...); `--format json` is that object.
 */
export const inspectCommand: CliCommand = {
  builder: (y: Argv) =>
    withCacheDirOption(y)
      .positional("names", {
        type: "string",
        array: true,
        describe: "tag, image ID or manifest digest",
      })
      .option("format", {
        alias: "f",
        type: "string",
        requiresArg: true,
        describe: "Go template per image, e.g. '{{.Id}}' or '{{json .Config}}'; json: docker's fields",
      })
      .option("json", { type: "boolean", describe: "print the JSON array (the default)" })
      .conflicts("json", "format"),
  run: async (args: ArgumentsCamelCase) => {
    const store = await openStore(args);
    const names = stringList(args.names);
    const format = typeof args.format === "string" ? args.format : undefined;
    // Parsed before any lookup: a bad template is a usage error however many images match.
    const template = format !== undefined && format !== "json" ? new GoTemplate(format) : undefined;
    const images: StoredImage[] = [];
    for (const name of names) images.push(await loadStoredImage(store, name));
    if (format === "json") {
      process.stdout.write(JSON.stringify(images.map(dockerInspect), null, 2) + "\n");
    } else if (template !== undefined) {
      process.stdout.write(images.map((i) => template.execute(dockerInspect(i)) + "\n").join(""));
    } else {
      const out = images.map((stored) => ({
        id: stored.entry.configDigest,
        digest: stored.entry.manifestDigest,
        tags: stored.tags,
        created: stored.config.created ?? stored.entry.created,
        manifest: stored.manifest,
        config: stored.config,
      }));
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    }
    return 0;
  },
};

/** `docker image inspect`'s object for a stored image (the fields templates refer to). */
export function dockerInspect(stored: StoredImage): Record<string, unknown> {
  const c = stored.config;
  return {
    Id: stored.entry.configDigest,
    RepoTags: stored.tags,
    RepoDigests: stored.tags.map((t) => `${t.replace(/:[^:/]+$/, "")}@${stored.entry.manifestDigest}`),
    Created: c.created ?? stored.entry.created,
    Author: c.author ?? "",
    Config: c.config ?? {},
    Architecture: c.architecture,
    Os: c.os,
    ...(c.variant !== undefined ? { Variant: c.variant } : {}),
    Size: stored.manifest.layers.reduce((n, l) => n + l.size, 0) + stored.manifest.config.size,
    RootFS: { Type: c.rootfs.type, Layers: c.rootfs.diff_ids },
    Descriptor: {
      mediaType: stored.manifest.mediaType,
      digest: stored.entry.manifestDigest,
    },
  };
}
