import { RegistryError } from "./errors";
import { headerValue, type RegistryClient } from "./http-client";
import { sleep } from "./retry";
import { drain } from "./transport";

export interface ManifestPut {
  repository: string;
  /** A tag or a digest. */
  reference: string;
  mediaType: string;
  body: Buffer;
  /** sha256 digest of body: what the registry must say it stored. */
  digest: string;
  scopes: readonly string[];
  what: string;
  signal?: AbortSignal | undefined;
  /** The error message when the registry stored it under another digest. */
  mismatch: (stored: string) => string;
}

/** How often a manifest PUT is made in all when the registry answers with its store race. */
const RACE_ATTEMPTS = 3;

/**
 * PUTs a manifest or an image index and checks the Docker-Content-Digest the registry answers.
 * docker-registry stores a manifest as a blob and reads it back to check its digest; two
 * writers storing the same one at once (two builds exporting the same step record, pushing the
 * same image) can read each other's half-written file and get 400 DIGEST_INVALID. The content
 * is the same, so the PUT is made again a little later, when the blob is whole.
 */
export async function putManifest(client: RegistryClient, put: ManifestPut): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await client.send(
        {
          method: "PUT",
          path: `/v2/${put.repository}/manifests/${put.reference}`,
          headers: { "content-type": put.mediaType },
          body: put.body,
          scopes: put.scopes,
          what: put.what,
          signal: put.signal,
        },
        (s) => s === 201 || s === 200,
      );
      await drain(res.body);
      const stored = headerValue(res.headers["docker-content-digest"]);
      if (stored !== undefined && stored !== put.digest)
        throw new RegistryError("REGISTRY_DIGEST_MISMATCH", put.mismatch(stored));
      return;
    } catch (err) {
      const race = err instanceof RegistryError && err.status === 400 && /DIGEST_INVALID/.test(err.message);
      if (!race || attempt >= RACE_ATTEMPTS) throw err;
      await sleep(25 * attempt, put.signal);
    }
  }
}
