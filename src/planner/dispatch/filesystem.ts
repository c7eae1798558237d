import * as path from "node:path/posix";
import type { ArgInstruction, WorkdirInstruction } from "../../parser/instruction";
import type { StageState } from "./stage-state";

/** A path in the image made absolute against the current WORKDIR; a trailing "/" is kept. */
export function resolveInImage(state: StageState, p: string): string {
  const trailing = p.endsWith("/") || p.endsWith("/.") || p === ".";
  const abs = path.resolve(state.config.WorkingDir || "/", p);
  return trailing && abs !== "/" ? `${abs}/` : abs;
}

/** `WORKDIR p`: relative to the previous WORKDIR; creates the directory when it is missing. */
export function dispatchWorkdir(state: StageState, ins: WorkdirInstruction): void {
  const word = ins.node.args[0];
  const raw = word ? state.expand(word) : ins.path;
  const dir = path.resolve(state.config.WorkingDir || "/", raw);
  const user = state.config.User ?? "";
  state.setConfig((c) => {
    c.WorkingDir = dir;
  });
  const keyOp = { op: "mkdir", path: dir, user };
  const [parentKey, cacheKey] = state.advance(keyOp);
  state.steps.push({
    kind: "workdir",
    id: state.nextId(),
    stage: state.index,
    cacheKey,
    parentKey,
    keyOp,
    display: `WORKDIR ${raw}`,
    createdBy: `WORKDIR ${dir}`,
    span: ins.span,
    path: dir,
    user,
  });
}

/** `ARG a=1 b`: declares build args in the stage scope (values from --build-arg, defaults, globals). */
export function dispatchArg(state: StageState, ins: ArgInstruction): void {
  const env = state.env();
  // Every default is expanded against the scope before this ARG, as BuildKit does.
  // A default is not evaluated when --build-arg gives the value (`${FOO:?msg}` does not fail).
  const values = ins.args.map((decl) =>
    decl.defaultValue === undefined || state.scope.overridden(decl.name)
      ? undefined
      : state.expander.text(decl.defaultValue, decl.word, env, decl.word.value.indexOf("=") + 1),
  );
  const shown = ins.args.map((decl, i) => {
    const value = state.scope.declare(decl.name, values[i]);
    return value === undefined ? decl.name : `${decl.name}=${value}`;
  });
  // BuildKit writes an entry for ARG in a stage: each name with the value it took.
  state.configStep(ins, `ARG ${shown.join(" ")}`, () => undefined);
}
