import type { HostileCase } from "./harness";
import { CASES } from "./cases";
import { LAYER_CASES } from "./cases-layers";

/** Every case of every hostile test file (docs/security.md lists them all). */
export const ALL_CASES: readonly HostileCase[] = [...CASES, ...LAYER_CASES];
