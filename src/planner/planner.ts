import type { ContainerConfig, ImageConfig } from "../image/config";
import type { Platform } from "../image/descriptor";
import type { Dockerfile } from "../parser/load";
import type { Instruction } from "../parser/instruction";
import { parseInstruction } from "../parser/instruction";
import { ParseContext } from "../parser/instructions/context";
import { parse } from "../parser/parse";
import { PROXY_ARGS, SPECIAL_ARGS } from "./build-args";
import { hashKey } from "./cache-key";
import { dispatchInstruction, type StageExtras } from "./dispatch/dispatch";
import type { PlanInputs, ResolvedImage } from "./dispatch/inputs";
import { StageState } from "./dispatch/stage-state";
import { Expander } from "./expand";
import type { Plan, PlannedStage, PlanWarning, StageBase } from "./plan";
import { formatPlatform, platformArgs } from "./platform";
import { StageGraph, type StageNode } from "./stage-graph";
import { VariableScope } from "./variable-scope";
import { invalidText } from "./text-check";
import { UsageError } from "../errors";
import { normalizePlatformSpec, PlatformSpecError } from "./platform-spec";
import { BUILD_RULES } from "../lint/rules";
import { buildChecks, byPosition } from "../lint";
import { lintFailure, ruleEnabled, type LintWarning } from "../parser/lint";
import { ruleUrl } from "../parser/lint/rule";
import { suggest } from "../parser/suggest";

export interface PlanOptions {
  /** `--target`: the stage to build (default: the last). */
  target?: string | undefined;
  /** `--build-arg` values (see parseBuildArgs). */
  buildArgs?: ReadonlyMap<string, string>;
  /** The platform tsbuild runs on (BUILDPLATFORM). */
  buildPlatform: Platform;
  /** Return lint findings as warnings even with `# check=error=true` (`--check` lists them all). */
  lintErrorsAsWarnings?: boolean;
}

/**
 * Turns a loaded Dockerfile into a Plan, in named phases like BuildKit's dockerfile2llb:
 * resolve the global ARGs → build the stage graph → resolve the target and prune → resolve base
 * images → dispatch each needed stage in dependency order → collect warnings.
 */
export async function plan(dockerfile: Dockerfile, options: PlanOptions, inputs: PlanInputs): Promise<Plan> {
  const ctx = new ParseContext(dockerfile.ast.file, dockerfile.ast.lines);
  const expander = new Expander(ctx, dockerfile.ast.escapeToken === "`" ? "`" : "\\");
  const consumed = new Set<string>();
  checkBuildArgs(options.buildArgs);
  const overrides = new Map<string, string>([
    ...Object.entries(platformArgs(options.buildPlatform, inputs.platform)),
    ...(options.buildArgs ?? []),
  ]);

  const globals = resolveGlobalArgs(dockerfile, expander, overrides, consumed);
  const replaced = new Set(
    dockerfile.stages
      .filter((s) => s.name !== undefined && inputs.images.replacesStage?.(s.name) === true)
      .map((s) => s.index),
  );
  const graph = new StageGraph(dockerfile.stages, ctx, expander, globals, replaced);
  const target = graph.resolveTarget(options.target);
  // BuildKit's automatic TARGETSTAGE: the target's name ("default" when it has none), for
  // `ARG TARGETSTAGE` in any stage; a --build-arg of that name wins.
  if (!overrides.has("TARGETSTAGE"))
    overrides.set("TARGETSTAGE", graph.nodes[target].stage.name ?? "default");
  // Base images first, then what their ONBUILD triggers read joins the graph, until no trigger
  // names a stage that is not needed yet (each stage's triggers are read once).
  let order = graph.needed(target);
  let platforms = stagePlatforms(order, graph, ctx, expander, globals, inputs.platform);
  const bases = new Map<string, ResolvedImage>();
  const triggersRead = new Set<number>();
  for (;;) {
    await resolveBases(
      order.map((i) => graph.nodes[i]),
      platforms,
      inputs,
      bases,
    );
    let added = false;
    for (const index of order) {
      const node = graph.nodes[index];
      if (node.base.kind !== "image" || triggersRead.has(index)) continue;
      triggersRead.add(index);
      // resolveBases just resolved every image base of `order`, for the platform set above.
      const image = bases.get(baseKey(node.base.ref, platforms.get(index) as Platform)) as ResolvedImage;
      const triggers = image.config.config.OnBuild ?? [];
      if (triggers.length > 0 && graph.addTriggerDeps(index, onbuildTriggers(triggers, dockerfile.ast.file)))
        added = true;
    }
    if (!added) break;
    order = graph.needed(target);
    platforms = stagePlatforms(order, graph, ctx, expander, globals, inputs.platform);
  }

  const checkWarnings: PlanWarning[] = buildChecks(dockerfile, {
    platformArgs: platformArgs(options.buildPlatform, inputs.platform),
    ...(inputs.isIgnored ? { isIgnored: inputs.isIgnored } : {}),
  });
  const enabled = (name: keyof typeof BUILD_RULES): boolean =>
    ruleEnabled(dockerfile.checks, { name, ...BUILD_RULES[name] });
  const addCheck = (rule: keyof typeof BUILD_RULES, message: string, span: PlanWarning["span"]): void => {
    checkWarnings.push({ rule, message, ...(span ? { span } : {}), url: ruleUrl(rule) });
  };
  if (enabled("InvalidBaseImagePlatform")) {
    for (const image of bases.values()) {
      const mismatch = platformMismatch(image, inputs.platform);
      if (mismatch === undefined) continue;
      const from = order
        .map((i) => graph.nodes[i])
        .find((n) => n.base.kind === "image" && n.base.ref === image.ref);
      addCheck(
        "InvalidBaseImagePlatform",
        BUILD_RULES.InvalidBaseImagePlatform.format(image.ref, mismatch.expected, mismatch.actual),
        from?.stage.from.span,
      );
    }
  }

  const planned = new Map<number, PlannedStage>();
  const stageKeys = new Map<number, string>();
  let currentScope: VariableScope | undefined;
  const reported = new Set<string>();
  if (enabled("UndefinedVar")) {
    expander.onUndefined = (name, at) => {
      const scope = currentScope;
      if (scope === undefined || scope.isDefined(name) || PROXY_ARGS.has(name)) return;
      const key = `${at.span.start.line}:${name}`;
      if (reported.has(key)) return;
      reported.add(key);
      const hit = suggest(name, scope.knownNames());
      addCheck("UndefinedVar", BUILD_RULES.UndefinedVar.format(name, hit), at.span);
    };
  }
  for (const index of order) {
    const node = graph.nodes[index];
    // Every needed stage got its platform above.
    const platform = platforms.get(index) as Platform;
    const base = baseOf(node, bases, planned, platform);
    const scope = new VariableScope(overrides, globals, (name) => consumed.add(name));
    const label = node.stage.name ?? String(index);
    const state = new StageState(
      index,
      label,
      base.config.config,
      base.key,
      scope,
      ctx,
      expander,
      graph,
      inputs,
      stageKeys,
    );
    const extras: StageExtras = {};
    // The base image's triggers are not this Dockerfile's text: no lint positions for them.
    currentScope = undefined;
    for (const trigger of onbuildTriggers(base.config.config.OnBuild ?? [], dockerfile.ast.file)) {
      await dispatchInstruction(state, trigger, extras);
    }
    if (base.config.config.OnBuild) state.setConfig((c) => delete c.OnBuild);
    currentScope = scope;
    for (const instruction of replaced.has(index) ? [] : node.stage.instructions) {
      await dispatchInstruction(state, instruction, extras);
    }
    currentScope = undefined;
    const config: ImageConfig = {
      ...base.config,
      config: state.config,
      rootfs: { type: "layers", diff_ids: [] },
      history: [],
    };
    if (extras.author !== undefined) config.author = extras.author;
    const stage: PlannedStage = {
      index,
      base: base.ref,
      platform,
      dependsOn: node.dependsOn,
      steps: state.steps,
      config,
      finalKey: state.key,
      label,
    };
    if (node.stage.name !== undefined) stage.name = node.stage.name;
    planned.set(index, stage);
    stageKeys.set(index, state.key);
  }

  expander.onUndefined = undefined;
  const located = checkWarnings.filter((w): w is LintWarning => w.span !== undefined);
  if (dockerfile.checks.error && located.length > 0 && options.lintErrorsAsWarnings !== true)
    throw lintFailure(ctx, byPosition(located));
  const warnings: PlanWarning[] = dockerfile.warnings.map((w) => ({
    rule: w.rule,
    message: w.message,
    span: w.span,
    ...(w.url !== undefined ? { url: w.url } : {}),
  }));
  warnings.push(...checkWarnings);
  const unused = [...(options.buildArgs ?? new Map()).keys()].filter(
    (k) => !consumed.has(k) && !SPECIAL_ARGS.has(k),
  );
  if (unused.length > 0) {
    warnings.push({
      rule: "UnusedBuildArg",
      message: `one or more build args were not consumed: [${unused.sort().join(" ")}]`,
    });
  }
  const epoch = globals.get("SOURCE_DATE_EPOCH");
  return {
    // Every stage in `order` was planned by the loop above.
    stages: order.map((i) => planned.get(i) as PlannedStage),
    target,
    platform: inputs.platform,
    warnings,
    ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
  };
}

/** The image's platform when it is not the one the build asked for (os and architecture; variant if both say). */
function platformMismatch(
  image: ResolvedImage,
  wanted: Platform,
): { expected: string; actual: string } | undefined {
  const { os, architecture, variant } = image.config;
  if (os === undefined || architecture === undefined) return undefined;
  const differs =
    os !== wanted.os ||
    architecture !== wanted.architecture ||
    (variant !== undefined && wanted.variant !== undefined && variant !== wanted.variant);
  if (!differs) return undefined;
  const actual: Platform = { os, architecture, ...(variant !== undefined ? { variant } : {}) };
  return { expected: formatPlatform(wanted), actual: formatPlatform(actual) };
}

/** `--build-arg` values reach RUN's environment unexpanded: the same text rules apply to them. */
function checkBuildArgs(args: ReadonlyMap<string, string> | undefined): void {
  for (const [name, value] of args ?? []) {
    const bad = invalidText(name) ?? invalidText(value);
    if (bad !== undefined)
      throw new UsageError(`--build-arg ${JSON.stringify(name)}: the value ${bad.problem}`);
  }
  // RUN's hostname (sethostname(2), /etc/hosts): refused before any work, not at the first RUN.
  const hostname = args?.get("BUILDKIT_SANDBOX_HOSTNAME");
  if (hostname !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,62}$/.test(hostname))
    throw new UsageError(
      `--build-arg BUILDKIT_SANDBOX_HOSTNAME=${JSON.stringify(hostname)}: not a hostname (letters, digits, '.', '-', '_'; at most 63)`,
    );
}

/** Phase: values of the ARGs before the first FROM (override > default), for FROM lines. */
function resolveGlobalArgs(
  dockerfile: Dockerfile,
  expander: Expander,
  overrides: ReadonlyMap<string, string>,
  consumed: Set<string>,
): Map<string, string> {
  // Platform args are in the global scope without being declared, as in BuildKit.
  const globals = new Map(
    [...overrides].filter(([k]) => /^(BUILD|TARGET)(PLATFORM|OS|ARCH|VARIANT)$/.test(k)),
  );
  for (const arg of dockerfile.metaArgs) {
    for (const decl of arg.args) {
      consumed.add(decl.name);
      // A given --build-arg replaces the default unevaluated (so `${FOO:?msg}` does not fail).
      const given = overrides.get(decl.name);
      const value =
        given !== undefined || decl.defaultValue === undefined
          ? given
          : expander.text(decl.defaultValue, decl.word, globals, decl.word.value.indexOf("=") + 1);
      if (value !== undefined) globals.set(decl.name, value);
    }
  }
  return globals;
}

/**
 * Phase: the platform of each needed stage, as BuildKit decides it: a stage built on another
 * stage has its parent's; else `FROM --platform=` (expanded with the global ARGs, so
 * `$BUILDPLATFORM` works), else the build's target platform.
 */
function stagePlatforms(
  order: readonly number[],
  graph: StageGraph,
  ctx: ParseContext,
  expander: Expander,
  globals: ReadonlyMap<string, string>,
  target: Platform,
): Map<number, Platform> {
  const out = new Map<number, Platform>();
  for (const index of order) {
    const node = graph.nodes[index];
    const from = node.stage.from;
    const parent = node.base.kind === "stage" ? out.get(node.base.stage) : undefined;
    if (parent !== undefined) {
      out.set(index, parent);
    } else if (from.platform !== undefined && from.platformWord !== undefined) {
      const word = from.platformWord;
      const value = expander.text(from.platform, word, globals, word.value.indexOf("=") + 1);
      try {
        out.set(index, normalizePlatformSpec(value));
      } catch (err) {
        if (!(err instanceof PlatformSpecError)) throw err;
        throw ctx.error(
          word.span,
          `FROM --platform=${from.platform}: invalid platform "${value}": ${err.message}`,
        );
      }
    } else {
      out.set(index, target);
    }
  }
  return out;
}

/** Key of a base image resolved for one platform. */
function baseKey(ref: string, platform: Platform): string {
  return `${ref} ${formatPlatform(platform)}`;
}

/**
 * Phase: pull/resolve every image the needed stages start from, for their platform, concurrently,
 * into `into` (images already there are not resolved again).
 */
async function resolveBases(
  nodes: StageNode[],
  platforms: ReadonlyMap<number, Platform>,
  inputs: PlanInputs,
  into: Map<string, ResolvedImage>,
): Promise<void> {
  const wanted = new Map<string, { ref: string; platform: Platform }>();
  for (const n of nodes) {
    if (n.base.kind !== "image") continue;
    // every stage's platform was set in the loop above, before its nodes.
    const platform = platforms.get(n.stage.index) as Platform;
    const key = baseKey(n.base.ref, platform);
    if (!into.has(key)) wanted.set(key, { ref: n.base.ref, platform });
  }
  const resolved = await Promise.all(
    [...wanted].map(async ([key, w]) => [key, await inputs.images.resolve(w.ref, w.platform)] as const),
  );
  for (const [key, image] of resolved) into.set(key, image);
}

interface Base {
  ref: StageBase;
  config: ImageConfig;
  key: string;
}

function baseOf(
  node: StageNode,
  bases: Map<string, ResolvedImage>,
  planned: Map<number, PlannedStage>,
  platform: Platform,
): Base {
  if (node.base.kind === "stage") {
    const parent = planned.get(node.base.stage);
    if (parent === undefined)
      throw new Error(`stage ${node.base.stage} must be planned before stage ${node.stage.index}`);
    return { ref: { kind: "stage", stage: parent.index }, config: parent.config, key: parent.finalKey };
  }
  if (node.base.kind === "image") {
    // Every image base was resolved before stages are planned.
    const image = bases.get(baseKey(node.base.ref, platform)) as ResolvedImage;
    return {
      ref: { kind: "image", ref: image.ref, digest: image.digest },
      config: { ...image.config, history: image.config.history ?? [] },
      // The platform is in the key even though the manifest digest implies it: a single-platform
      // image used for two targets must not share RUN results between them.
      key: hashKey({ base: image.digest, platform: formatPlatform(platform) }),
    };
  }
  return {
    ref: { kind: "scratch" },
    config: scratchConfig(platform),
    key: hashKey({ base: "scratch", platform: formatPlatform(platform) }),
  };
}

/**
 * `FROM scratch`: an empty config with Docker's default PATH and WorkingDir "/", as BuildKit's
 * emptyImage sets them (an image base without WORKDIR keeps its own, possibly empty, value).
 */
export function scratchConfig(platform: Platform): ImageConfig {
  const config: ContainerConfig = {
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    WorkingDir: "/",
  };
  const out: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    config,
    rootfs: { type: "layers", diff_ids: [] },
  };
  if (platform.variant !== undefined) out.variant = platform.variant;
  return out;
}

/** The base image's ONBUILD triggers, parsed and typed as if written at the start of the stage. */
function onbuildTriggers(triggers: readonly string[], file: string): Instruction[] {
  return triggers.map((text) => {
    const ast = parse(text, { file: `${file} (ONBUILD trigger of the base image)` });
    const ctx = new ParseContext(ast.file, ast.lines);
    return parseInstruction(ast.instructions[0], ctx);
  });
}
