/**
 * tar-stream's headers module, the one its extractor decodes PAX records with. The package's
 * exports map hides the file, so it is required by path. The CLI bundle has its own copy of
 * tar-stream inside it; scripts/bundle-cli.js replaces this module there with a static require
 * of the same file, so the wrapper in ./pax-raw.ts patches the copy the bundled extractor uses
 * (a require by computed path would load a second, unused copy from node_modules).
 */
import * as path from "node:path";

export interface HeadersModule {
  decodePax(buf: Buffer): Record<string, string>;
}

export function tarStreamHeaders(): HeadersModule {
  const file = path.join(path.dirname(require.resolve("tar-stream")), "headers.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as HeadersModule;
}
