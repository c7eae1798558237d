/**
 * `--chmod` for COPY/ADD: an octal mode replaces the permission bits; a symbolic mode
 * (`u+x,g-w,o=r`, `a+X`) is applied clause by clause as chmod(1) does. Values were validated by
 * the parser (and again by the planner after expansion).
 */
export function applyChmod(mode: number, spec: string, isDirectory: boolean): number {
  if (/^[0-7]+$/.test(spec)) return parseInt(spec, 8) & 0o7777;
  let out = mode & 0o7777;
  for (const clause of spec.split(",")) {
    const [, users = "", actions = ""] = /^([ugoa]*)(.*)$/.exec(clause) ?? [];
    const who = users === "" || users.includes("a") ? "ugo" : users;
    for (const action of actions.match(/[-+=][rwxXstugo]*/g) ?? []) {
      const op = action[0];
      const bits = permBits(action.slice(1), who, out, isDirectory);
      const mask = whoMask(who);
      if (op === "+") out |= bits;
      else if (op === "-") out &= ~bits;
      else out = (out & ~mask) | bits;
    }
  }
  return out;
}

function whoMask(who: string): number {
  let mask = 0;
  if (who.includes("u")) mask |= 0o4700;
  if (who.includes("g")) mask |= 0o2070;
  if (who.includes("o")) mask |= 0o1007;
  return mask;
}

function permBits(perms: string, who: string, current: number, isDirectory: boolean): number {
  let rwx = 0;
  let special = 0;
  for (const p of perms) {
    if (p === "r") rwx |= 4;
    else if (p === "w") rwx |= 2;
    else if (p === "x") rwx |= 1;
    else if (p === "X" && (isDirectory || (current & 0o111) !== 0)) rwx |= 1;
    else if (p === "s") special |= (who.includes("u") ? 0o4000 : 0) | (who.includes("g") ? 0o2000 : 0);
    else if (p === "t") special |= 0o1000;
    else if (p === "u") rwx |= (current >> 6) & 7;
    else if (p === "g") rwx |= (current >> 3) & 7;
    else if (p === "o") rwx |= current & 7;
  }
  let bits = special;
  if (who.includes("u")) bits |= rwx << 6;
  if (who.includes("g")) bits |= rwx << 3;
  if (who.includes("o")) bits |= rwx;
  return bits;
}
