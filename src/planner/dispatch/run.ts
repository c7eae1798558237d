import * as path from "node:path/posix";
import type { Word } from "../../parser/ast";
import type { RunInstruction } from "../../parser/instruction";
import type { Mount } from "../../parser/instructions/run-mount";
import { parseMount } from "../../parser/instructions/run-mount";
import type { KeyValue } from "../cache-key";
import type { ExecState, PlannedMount, RunStep } from "../plan";
import { argvOf, shellOf } from "./metadata";
import type { StageState } from "./stage-state";
import { errorMessage } from "../../errors";

/** The state RUN and COPY see: env (image ENV), build args, WORKDIR, USER, SHELL. */
export function execState(state: StageState, forKey: boolean): ExecState {
  return {
    env: state.envList(),
    buildArgs: state.scope.runArgs(forKey),
    workdir: state.config.WorkingDir || "/",
    user: state.config.User ?? "",
    shell: shellOf(state),
  };
}

/**
 * `RUN`: the command text is never expanded by the planner (the shell sees it as written). Mount
 * flag values may hold build args and are expanded, then re-validated. Heredocs: `RUN <<EOF` runs
 * the body (through the shell, or directly when it starts with `#!`); `RUN cmd <<EOF` hands the
 * command and its bodies to the shell, which processes the redirections itself.
 */
export async function dispatchRun(state: StageState, ins: RunInstruction): Promise<void> {
  const heredocFiles: RunStep["heredocFiles"] = [];
  let argv: string[];
  const text = ins.command.args[0] ?? "";
  const only =
    ins.heredocs.length === 1 &&
    ins.command.form === "shell" &&
    /^[0-9]*<<-?\s*["']?[^\s]*$/.test(text.trim());
  if (only) {
    const doc = ins.heredocs[0];
    const body = doc.chomp ? doc.content.replace(/^\t+/gm, "") : doc.content;
    if (body.startsWith("#!")) {
      const file = `/dev/pipes/${doc.name}`;
      heredocFiles.push({ path: file, content: body, mode: 0o755 });
      // As BuildKit: the shell runs the file (so history reads `RUN /bin/sh -c /dev/pipes/EOF`).
      argv = [...shellOf(state), file];
    } else {
      argv = [...shellOf(state), body];
    }
  } else if (ins.heredocs.length > 0 && ins.command.form === "shell") {
    const bodies = ins.heredocs.map((d) => `${d.content}${d.name}\n`).join("");
    argv = [...shellOf(state), `${text}\n${bodies}`];
  } else {
    argv = argvOf(state, ins.command);
  }
  state.checkArgv(argv, ins);
  const mounts = await Promise.all(ins.mounts.map((m, i) => planMount(state, ins, m, i)));
  const network = ins.network ?? "default";
  const security = ins.security ?? "sandbox";
  const keyState = execState(state, true);
  // The mode the step runs with (its own flag, else --network) and --add-host are in the key, as
  // in BuildKit's ExecOp; left out when unset, so builds without the flags keep their keys.
  const netMode = network === "default" ? (state.inputs.run?.network ?? "default") : network;
  const extraHosts = (state.inputs.run?.extraHosts ?? []).map((h) => `${h.host}=${h.ip}`);
  // BuildKit's sandbox hostname build arg: part of the exec, so of the key (only when given).
  const hostname = state.scope.override("BUILDKIT_SANDBOX_HOSTNAME");
  const keyOp: KeyValue = {
    op: "run",
    argv,
    env: keyState.env,
    args: keyState.buildArgs,
    workdir: keyState.workdir,
    user: keyState.user,
    heredocFiles: heredocFiles.map((f) => ({ path: f.path, content: f.content, mode: f.mode })),
    mounts: mounts.map((m, i) => mountKey(state, m, ins.mountFlags[i].word)),
    network: netMode,
    ...(extraHosts.length > 0 ? { extraHosts } : {}),
    security,
    ...(hostname !== undefined ? { hostname } : {}),
  };
  const [parentKey, cacheKey] = state.advance(keyOp);
  // BuildKit's runCommandString: every ARG of the stage, in declaration order, then the argv.
  const historyArgs = state.scope.historyArgs();
  const argsPrefix = historyArgs.length > 0 ? `|${historyArgs.length} ${historyArgs.join(" ")} ` : "";
  state.steps.push({
    kind: "run",
    id: state.nextId(),
    stage: state.index,
    cacheKey,
    parentKey,
    keyOp,
    display: ins.node.original.replace(/\s+/g, " ").slice(0, 200),
    createdBy: `RUN ${argsPrefix}${argv.join(" ")} # buildkit`,
    span: ins.span,
    argv,
    heredocFiles,
    state: execState(state, false),
    mounts,
    network,
    security,
    ...(hostname !== undefined ? { hostname } : {}),
  });
}

/** Expands a mount's values, re-validates them, and resolves `from` and default targets. */
async function planMount(
  state: StageState,
  ins: RunInstruction,
  mount: Mount,
  i: number,
): Promise<PlannedMount> {
  const flag = ins.mountFlags[i];
  let spec = mount;
  if (/\$/.test(flag.value)) {
    const expanded = state.expander.text(flag.value, flag.word, state.env(), flag.valueOffset);
    try {
      spec = parseMount(expanded);
    } catch (err) {
      throw state.expander.error(
        flag.word,
        `invalid --mount after expansion ("${expanded}"): ${errorMessage(err)}`,
      );
    }
  }
  // `from` is resolved from the value as written, with the global ARGs (like the stage graph).
  const { from: _expandedFrom, ...rest } = spec;
  const from = mount.from;
  let target = spec.target;
  if (target === undefined) {
    if (spec.type === "secret") target = `/run/secrets/${spec.id ?? path.basename(spec.source ?? "")}`;
    else if (spec.type === "ssh") target = "/run/buildkit/ssh_agent.0";
    else throw state.expander.error(flag.word, `--mount type=${spec.type} requires a target`);
  }
  // Values written without `$` were never expanded, so never checked: check what becomes a path.
  for (const value of [target, spec.source, spec.id, spec.from, spec.env]) {
    if (value !== undefined) state.expander.check(value, undefined, 0, flag.word);
  }
  const planned: PlannedMount = { ...rest, target: path.resolve(state.config.WorkingDir || "/", target) };
  if (spec.type === "cache" && planned.id === undefined) planned.id = planned.target;
  if (spec.type === "secret" && planned.id === undefined) planned.id = path.basename(spec.source ?? target);
  // BuildKit: a secret with env= and no target is only the variable, no file.
  if (spec.type === "secret" && spec.env !== undefined && spec.target === undefined) planned.envOnly = true;
  if (from !== undefined) {
    const ref = state.resolveFrom(from, flag.word, "mount");
    if (ref.kind === "scratch")
      throw state.expander.error(flag.word, "--mount from=scratch has nothing to mount");
    if (ref.kind === "stage") planned.from = ref;
    else {
      // Keyed on the image's digest, so a moved tag re-runs the step.
      const image = await state.inputs.images.resolve(ref.ref, state.inputs.platform);
      planned.from = { kind: "image", ref: ref.ref, digest: image.digest };
    }
  } else if (spec.type === "bind") {
    planned.from = { kind: "context" };
  }
  if (planned.type === "bind" && planned.from?.kind === "context") {
    // A bind from the context changes the result when the bound files change.
    planned.from.fingerprint = await state.inputs.context.fingerprint([planned.source ?? "."], {
      exclude: [],
    });
  }
  return planned;
}

/** What of a mount goes into the RUN's key: never a secret's value, only what selects content. */
function mountKey(state: StageState, m: PlannedMount, word: Word): KeyValue {
  const from: KeyValue =
    m.from === undefined
      ? null
      : m.from.kind === "stage"
        ? { stage: state.stageKey(m.from.stage, word) }
        : m.from.kind === "image"
          ? { image: m.from.digest }
          : { context: m.from.fingerprint ?? null };
  return {
    type: m.type,
    target: m.target,
    source: m.source ?? null,
    from,
    readOnly: m.readOnly,
    id: m.type === "bind" ? null : (m.id ?? null),
    sharing: m.sharing ?? null,
    mode: m.mode ?? null,
    uid: m.uid ?? null,
    gid: m.gid ?? null,
    required: m.required ?? null,
    env: m.env ?? null,
  };
}
