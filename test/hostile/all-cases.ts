import type { HostileCase } from "./harness";
import { CASES } from "./cases";
import { LAYER_CASES } from "./cases-layers";
import { RUN_CASES } from "./cases-run";
import { CACHE_CASES } from "./cases-cache";
import { KILL_CASES } from "./cases-kill";

/** Every case of every hostile test file (docs/security.md lists them all). */
export const ALL_CASES: readonly HostileCase[] = [
  ...CASES,
  ...LAYER_CASES,
  ...RUN_CASES,
  ...CACHE_CASES,
  ...KILL_CASES,
];
