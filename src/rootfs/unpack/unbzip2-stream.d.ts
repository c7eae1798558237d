/** Types for unbzip2-stream (which ships none): a factory for a `through` stream. */
declare module "unbzip2-stream" {
  import type { Duplex } from "node:stream";
  function unbzip2(): Duplex;
  export = unbzip2;
}
