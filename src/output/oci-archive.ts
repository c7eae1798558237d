import type { Writable } from "node:stream";
import type { Image } from "../image/image";
import { writeArchiveTar } from "./archive-file";
import { ociLayoutFiles, type OciLayoutOptions } from "./oci-layout";

/** type=oci: the OCI image layout as a tar archive (what `skopeo ... oci-archive:` reads). */
export async function writeOciArchive(
  image: Image,
  dest: string | Writable,
  opts: OciLayoutOptions = {},
): Promise<void> {
  await writeArchiveTar(await ociLayoutFiles(image, opts), dest);
}
