/**
 * STOPSIGNAL values, as moby's signal.ParseSignal reads them: a number (`9`), a name with or
 * without `SIG` in any case (`SIGTERM`, `term`), or a real-time signal (`SIGRTMIN+3`).
 */
const SIGNALS: Record<string, number> = {
  ABRT: 6,
  ALRM: 14,
  BUS: 7,
  CHLD: 17,
  CLD: 17,
  CONT: 18,
  FPE: 8,
  HUP: 1,
  ILL: 4,
  INT: 2,
  IO: 29,
  IOT: 6,
  KILL: 9,
  PIPE: 13,
  POLL: 29,
  PROF: 27,
  PWR: 30,
  QUIT: 3,
  SEGV: 11,
  STKFLT: 16,
  STOP: 19,
  SYS: 31,
  TERM: 15,
  TRAP: 5,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  USR1: 10,
  USR2: 12,
  VTALRM: 26,
  WINCH: 28,
  XCPU: 24,
  XFSZ: 25,
};
const RTMIN = 34;
const RTMAX = 64;

/** The signal number, or undefined when the text names no Linux signal. */
export function parseSignal(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= RTMAX ? n : undefined;
  }
  const name = text.toUpperCase().replace(/^SIG/, "");
  if (name in SIGNALS) return SIGNALS[name];
  const rt = /^RT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (!rt) return undefined;
  const offset = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === "-" ? -1 : 1);
  const n = (rt[1] === "MIN" ? RTMIN : RTMAX) + offset;
  return n >= RTMIN && n <= RTMAX ? n : undefined;
}
