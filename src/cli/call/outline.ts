import type { Dockerfile } from "../../parser/load";
import type { Instruction } from "../../parser/instruction";
import { ParseContext } from "../../parser/instructions/context";
import { processWord } from "../../parser/shell";
import { Expander } from "../../planner/expand";
import { StageGraph } from "../../planner/stage-graph";
import { goJson, location } from "./go-json";
import { tabwrite } from "./tabwriter";

type Location = ReturnType<typeof location>;

/** BuildKit's outline subrequest result (frontend/subrequests/outline), zero fields omitted. */
export interface Outline {
  name?: string;
  description?: string;
  args?: { name: string; description?: string; value?: string; location?: Location }[];
  secrets?: { name: string; required?: boolean; location?: Location }[];
  ssh?: { name: string; required?: boolean; location?: Location }[];
  sources?: string[];
}

/** BuildKit's targets subrequest result. */
export interface TargetList {
  targets: {
    name?: string;
    default?: boolean;
    description?: string;
    base?: string;
    platform?: string;
    location?: Location;
  }[];
  sources: string[];
}

/** A description comment: the line of the block above that starts with `name `, without the name. */
export function describedBy(comments: readonly string[] | undefined, name: string): string {
  if (name === "") return "";
  for (const line of comments ?? []) {
    if (line.startsWith(name + " ")) return line.slice(name.length + 1).trim();
  }
  return "";
}

function at(instruction: Instruction): Location {
  return location(instruction.span.start.line, instruction.span.end.line);
}

/** `--call outline`: the target's name and description, and the build args, secrets and ssh it uses. */
export function outlineOf(dockerfile: Dockerfile, text: string, target: string | undefined): Outline {
  const ctx = new ParseContext(dockerfile.ast.file, dockerfile.ast.lines);
  const escape = dockerfile.ast.escapeToken === "`" ? "`" : "\\";
  const expander = new Expander(ctx, escape);
  const globals = new Map<string, string>();
  const quiet = (value: string): string => {
    try {
      return processWord(value, globals, { escapeToken: escape });
    } catch {
      return value;
    }
  };
  for (const arg of dockerfile.metaArgs)
    for (const decl of arg.args)
      if (decl.defaultValue !== undefined) globals.set(decl.name, quiet(decl.defaultValue));
  const graph = new StageGraph(dockerfile.stages, ctx, expander, globals);
  const index = graph.resolveTarget(target);
  const needed = graph.needed(index);
  const stage = dockerfile.stages[index];

  const args = new Map<string, NonNullable<Outline["args"]>[number] & { line: number }>();
  const addArg = (
    instruction: Instruction,
    name: string,
    value: string | undefined,
    comments?: string[],
  ): void => {
    if (args.has(name)) return;
    const description = describedBy(comments, name);
    args.set(name, {
      name,
      ...(description !== "" ? { description } : {}),
      ...(value !== undefined && value !== "" ? { value } : {}),
      location: at(instruction),
      line: instruction.span.start.line,
    });
  };
  const neededStages = needed.map((i) => dockerfile.stages[i]);
  const used = new Set<string>();
  for (const s of neededStages) {
    for (const m of (s.from.baseName + " " + (s.from.platform ?? "")).matchAll(
      /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g,
    ))
      used.add(m[1]);
    for (const i of s.instructions) if (i.kind === "ARG") for (const d of i.args) used.add(d.name);
  }
  for (const arg of dockerfile.metaArgs)
    for (const d of arg.args)
      if (used.has(d.name))
        addArg(
          arg,
          d.name,
          d.defaultValue === undefined ? undefined : quiet(d.defaultValue),
          arg.node.comments,
        );
  const secrets: NonNullable<Outline["secrets"]> = [];
  const ssh: NonNullable<Outline["ssh"]> = [];
  for (const s of neededStages) {
    for (const i of s.instructions) {
      if (i.kind === "ARG") {
        for (const d of i.args) {
          const value = d.defaultValue !== undefined ? quiet(d.defaultValue) : globals.get(d.name);
          addArg(i, d.name, value, i.node.comments);
        }
      }
      if (i.kind !== "RUN") continue;
      for (const m of i.mounts) {
        if (m.type === "secret") {
          const name = m.id ?? (m.target !== undefined ? (m.target.split("/").pop() ?? "") : "");
          if (!secrets.some((x) => x.name === name))
            secrets.push({ name, ...(m.required === true ? { required: true } : {}), location: at(i) });
        }
        if (m.type === "ssh") {
          const name = m.id ?? "default";
          if (!ssh.some((x) => x.name === name))
            ssh.push({ name, ...(m.required === true ? { required: true } : {}), location: at(i) });
        }
      }
    }
  }
  const description = describedBy(stage.from.node.comments, stage.from.stageName ?? "");
  const sorted = [...args.values()].sort((a, b) => a.line - b.line).map(({ line: _line, ...a }) => a);
  return {
    ...(stage.name !== undefined ? { name: stage.name } : {}),
    ...(description !== "" ? { description } : {}),
    ...(sorted.length > 0 ? { args: sorted } : {}),
    ...(secrets.length > 0 ? { secrets } : {}),
    ...(ssh.length > 0 ? { ssh } : {}),
    sources: [Buffer.from(text).toString("base64")],
  };
}

/** `--call targets`: the named stages and the default (last) one, with descriptions. */
export function targetsOf(dockerfile: Dockerfile, text: string): TargetList {
  const last = dockerfile.stages.length - 1;
  const targets: TargetList["targets"] = [];
  dockerfile.stages.forEach((s, i) => {
    if (s.name === undefined && i !== last) return;
    const description = describedBy(s.from.node.comments, s.from.stageName ?? "");
    targets.push({
      ...(s.name !== undefined ? { name: s.name } : {}),
      ...(i === last ? { default: true } : {}),
      ...(description !== "" ? { description } : {}),
      base: s.baseName,
      ...(s.platform !== undefined ? { platform: s.platform } : {}),
      location: at(s.from),
    });
  });
  return { targets, sources: [Buffer.from(text).toString("base64")] };
}

/** buildx's PrintOutline. */
export function outlineText(o: Outline): string {
  let out = "";
  if (o.name !== undefined || o.description !== undefined) {
    const rows = [["TARGET:", o.name ?? "(default)"]];
    if (o.description !== undefined) rows.push(["DESCRIPTION:", o.description]);
    out += tabwrite(rows, 1) + "\n";
  }
  if (o.args !== undefined) {
    const rows = [
      ["BUILD ARG", "VALUE", "DESCRIPTION"],
      ...o.args.map((a) => [a.name, a.value ?? "", a.description ?? ""]),
    ];
    out += tabwrite(rows, 3) + "\n";
  }
  if (o.secrets !== undefined) {
    out +=
      tabwrite(
        [["SECRET", "REQUIRED"], ...o.secrets.map((s) => [s.name, s.required === true ? "true" : ""])],
        3,
      ) + "\n";
  }
  if (o.ssh !== undefined) {
    out +=
      tabwrite([["SSH", "REQUIRED"], ...o.ssh.map((s) => [s.name, s.required === true ? "true" : ""])], 3) +
      "\n";
  }
  return out;
}

/** buildx's PrintTargets. */
export function targetsText(list: TargetList): string {
  const rows = [["TARGET", "DESCRIPTION"]];
  for (const t of list.targets) {
    let name = t.name ?? "";
    if (name === "" && t.default === true) name = "(default)";
    else if (t.default === true) name = `${name} (default)`;
    rows.push([name, t.description ?? ""]);
  }
  return tabwrite(rows, 3);
}

export { goJson };
