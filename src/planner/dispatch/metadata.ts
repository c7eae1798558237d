import type {
  CmdInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  HealthcheckInstruction,
  LabelInstruction,
  MaintainerInstruction,
  ShellInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
} from "../../parser/instruction";
import type { CommandLine } from "../../parser/instructions/base";
import { checkPortSpec } from "../../parser/instructions/port";
import { parseSignal } from "../../parser/instructions/signal";
import { goDuration, goList, goQuotedList } from "./go-format";
import type { StageState } from "./stage-state";

/**
 * Instructions that only change the image config (no layer, no filesystem key change). Values are
 * expanded as Docker does for ENV, LABEL, EXPOSE, STOPSIGNAL, USER and VOLUME; CMD, ENTRYPOINT and
 * SHELL keep their text for the shell to see.
 */

const DEFAULT_SHELL = ["/bin/sh", "-c"];

export function shellOf(state: StageState): string[] {
  return state.config.Shell && state.config.Shell.length > 0 ? state.config.Shell : DEFAULT_SHELL;
}

/** Exec form as is; shell form wrapped in the stage's SHELL. */
export function argvOf(state: StageState, command: CommandLine): string[] {
  return command.form === "exec" ? [...command.args] : [...shellOf(state), command.args[0] ?? ""];
}

/** `ENV a=1 b=$a`: every value is expanded against the env *before* this instruction, as Docker does. */
export function dispatchEnv(state: StageState, ins: EnvInstruction): void {
  const env = state.env();
  const pairs = ins.env.map((p) => [
    state.expander.word(p.keyWord, env),
    state.expander.word(p.valueWord, env),
  ]);
  state.configStep(ins, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`, () => {
    for (const [key, value] of pairs) state.setEnv(key, value);
  });
}

export function dispatchLabel(state: StageState, ins: LabelInstruction): void {
  const env = state.env();
  const pairs = ins.labels.map((p) => [
    state.expander.word(p.keyWord, env),
    state.expander.word(p.valueWord, env),
  ]);
  state.configStep(ins, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`, (c) => {
    const labels = (c.Labels ??= {});
    for (const [key, value] of pairs) labels[key] = value;
  });
}

export function dispatchMaintainer(
  state: StageState,
  ins: MaintainerInstruction,
  setAuthor: (a: string) => void,
): void {
  const author = ins.node.args.map((a) => a.value).join(" ");
  state.checkArgv([author], ins);
  setAuthor(author);
  state.configStep(ins, `MAINTAINER ${author}`, () => undefined);
}

export function dispatchCmd(state: StageState, ins: CmdInstruction): void {
  const argv = argvOf(state, ins.command);
  state.checkArgv(argv, ins);
  state.cmdSet = true;
  state.configStep(ins, `CMD ${goQuotedList(argv)}`, (c) => {
    c.Cmd = argv;
  });
}

export function dispatchEntrypoint(state: StageState, ins: EntrypointInstruction): void {
  const argv = argvOf(state, ins.command);
  state.checkArgv(argv, ins);
  const keepCmd = state.cmdSet;
  state.configStep(ins, `ENTRYPOINT ${goQuotedList(argv)}`, (c) => {
    c.Entrypoint = argv;
    // Docker: an ENTRYPOINT resets a CMD inherited from the base image, not one set in this stage.
    if (!keepCmd) delete c.Cmd;
  });
}

export function dispatchExpose(state: StageState, ins: ExposeInstruction): void {
  const env = state.env();
  const ports: string[] = [];
  for (const word of ins.ports) {
    for (const spec of state.expander.words(word, env)) {
      const problem = checkPortSpec(spec);
      if (problem !== undefined)
        throw state.expander.error(word, `invalid EXPOSE port "${spec}": ${problem}`);
      ports.push(...expandPortRange(spec));
    }
  }
  // BuildKit writes the port list sorted, whatever the order in the Dockerfile.
  const sorted = [...new Set(ports)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  state.configStep(ins, `EXPOSE ${goList(sorted)}`, (c) => {
    const exposed = (c.ExposedPorts ??= {});
    for (const p of ports) exposed[p] = {};
  });
}

/** `8000-8002/udp` → each port with its protocol (tcp by default), as Docker stores them. */
function expandPortRange(spec: string): string[] {
  const [range, proto = "tcp"] = spec.split("/");
  const [lo, hi = lo] = range.split("-").map(Number);
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}

export function dispatchVolume(state: StageState, ins: VolumeInstruction): void {
  const volumes = ins.volumes.map((w) => {
    const v = state.expand(w);
    if (v.trim() === "") throw state.expander.error(w, "VOLUME specified can not be an empty string");
    return v;
  });
  state.configStep(ins, `VOLUME ${goList(volumes)}`, (c) => {
    const all = (c.Volumes ??= {});
    for (const v of volumes) all[v] = {};
  });
}

export function dispatchUser(state: StageState, ins: UserInstruction): void {
  const word = ins.node.args[0];
  const user = word ? state.expand(word) : ins.user;
  state.configStep(ins, `USER ${user}`, (c) => {
    c.User = user;
  });
}

export function dispatchStopsignal(state: StageState, ins: StopsignalInstruction): void {
  const word = ins.node.args[0];
  const signal = word ? state.expand(word) : ins.signal;
  if (word && parseSignal(signal) === undefined) {
    throw state.expander.error(
      word,
      `invalid STOPSIGNAL "${signal}" (expected a signal name like SIGTERM or a number)`,
    );
  }
  state.configStep(ins, `STOPSIGNAL ${signal}`, (c) => {
    c.StopSignal = signal;
  });
}

export function dispatchHealthcheck(state: StageState, ins: HealthcheckInstruction): void {
  const h = ins.health;
  state.checkArgv(h.test, ins);
  // `%+v` of BuildKit's HealthcheckConfig: every field, durations as Go prints them.
  const shown =
    `{Test:${goList(h.test)} Interval:${goDuration(h.interval ?? 0)} Timeout:${goDuration(h.timeout ?? 0)}` +
    ` StartPeriod:${goDuration(h.startPeriod ?? 0)} StartInterval:${goDuration(h.startInterval ?? 0)}` +
    ` Retries:${h.retries ?? 0}}`;
  state.configStep(ins, `HEALTHCHECK ${shown}`, (c) => {
    c.Healthcheck = { Test: h.test };
    if (h.interval !== undefined) c.Healthcheck.Interval = h.interval;
    if (h.timeout !== undefined) c.Healthcheck.Timeout = h.timeout;
    if (h.startPeriod !== undefined) c.Healthcheck.StartPeriod = h.startPeriod;
    if (h.startInterval !== undefined) c.Healthcheck.StartInterval = h.startInterval;
    if (h.retries !== undefined) c.Healthcheck.Retries = h.retries;
  });
}

export function dispatchShell(state: StageState, ins: ShellInstruction): void {
  state.checkArgv(ins.shell, ins);
  state.configStep(ins, `SHELL ${goList(ins.shell)}`, (c) => {
    c.Shell = [...ins.shell];
  });
}
