/**
 * tsbuild's public API: `import { ... } from "tsbuild"`.
 * Each export is documented where it is defined.
 */
export { TsbuildError, UsageError } from "./errors";
export { DockerfileError } from "./parser/errors";
export type * from "./parser/ast";
export type { Layer } from "./image/layer";
export type * from "./image/layer-entry";
