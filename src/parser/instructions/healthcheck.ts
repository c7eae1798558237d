import type { InstructionNode } from "../ast";
import { formatGoDuration, parseGoDuration } from "../duration";
import { parseFlags, type FlagValue } from "../flags";
import { base, type InstructionBase } from "./base";
import { subSpan, type ParseContext } from "./context";

/** The image config's Healthcheck: `test` as the OCI config stores it, durations in nanoseconds. */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", argv...]` (exec form) or `["CMD-SHELL", command]` (shell form). */
  test: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

/** `HEALTHCHECK [options] CMD command` or `HEALTHCHECK NONE`. */
export interface HealthcheckInstruction extends InstructionBase<"HEALTHCHECK"> {
  health: HealthConfig;
}

/** Docker refuses non-zero health-check durations under 1ms. */
const MINIMUM_DURATION = 1e6;

const DURATION_FLAGS = [
  ["interval", "interval"],
  ["timeout", "timeout"],
  ["start-period", "startPeriod"],
  ["start-interval", "startInterval"],
] as const;

export function parseHealthcheck(ctx: ParseContext, node: InstructionNode): HealthcheckInstruction {
  const flags = parseFlags(ctx, "HEALTHCHECK", node.flags, {
    interval: "string",
    timeout: "string",
    "start-period": "string",
    "start-interval": "string",
    retries: "string",
  });
  const [typeWord, ...rest] = node.args;
  if (typeWord === undefined) {
    throw ctx.error(node.keywordSpan, "HEALTHCHECK requires CMD <command> or NONE");
  }
  const type = typeWord.value.toUpperCase();
  if (type === "NONE") {
    if (rest.length > 0) throw ctx.error(rest[0].span, "HEALTHCHECK NONE takes no arguments");
    if (node.flags.length > 0) throw ctx.error(node.flags[0].span, "HEALTHCHECK NONE takes no options");
    return { ...base("HEALTHCHECK", node), health: { test: ["NONE"] } };
  }
  if (type !== "CMD") {
    throw ctx.error(typeWord.span, `unknown HEALTHCHECK type "${typeWord.value}" (expected CMD or NONE)`);
  }
  if (rest.length === 0 || (!node.json && rest[0].value.trim() === "")) {
    throw ctx.error(typeWord.span, "HEALTHCHECK CMD requires a command");
  }
  const test = node.json ? ["CMD", ...rest.map((w) => w.value)] : ["CMD-SHELL", rest[0].value];
  const health: HealthConfig = { test };
  for (const [flagName, field] of DURATION_FLAGS) {
    const flag = flags.get(flagName);
    if (flag) health[field] = parseDurationFlag(ctx, flag);
  }
  const retries = flags.get("retries");
  if (retries) {
    if (!/^\d+$/.test(retries.value)) {
      throw ctx.error(
        subSpan(retries.word, retries.valueOffset, retries.value.length),
        `HEALTHCHECK --retries: invalid count ${retries.value} (expected a non-negative integer)`,
      );
    }
    health.retries = Number(retries.value);
  }
  return { ...base("HEALTHCHECK", node), health };
}

function parseDurationFlag(ctx: ParseContext, flag: FlagValue): number {
  const at = subSpan(flag.word, flag.valueOffset, flag.value.length);
  const ns = parseGoDuration(flag.value);
  if (ns === undefined) {
    throw ctx.error(
      at,
      `HEALTHCHECK --${flag.name}: invalid duration ${flag.value} (expected e.g. 30s, 1m30s, 500ms)`,
    );
  }
  if (ns < 0) throw ctx.error(at, `HEALTHCHECK --${flag.name}: duration ${flag.value} is negative`);
  if (ns !== 0 && ns < MINIMUM_DURATION) {
    throw ctx.error(
      at,
      `HEALTHCHECK --${flag.name}: duration ${flag.value} is less than the minimum ${formatGoDuration(MINIMUM_DURATION)}`,
    );
  }
  return ns;
}
