/**
 * Expands `$` references in the replacement of `${v//p/r}` the way Go's Regexp.ReplaceAllString
 * does, because BuildKit hands the replacement to it: `$$` is a literal `$`; `$0`/`${0}` is the
 * matched text; any other well-formed `$name`/`${name}` (there are no capture groups) is empty;
 * a `$` not followed by a well-formed name stays literal. `${v/p/r}` (first match only) uses the
 * replacement verbatim, so it does not come here.
 */
export function expandReplacement(template: string, matched: string): string {
  if (!template.includes("$")) return template;
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    if (template[dollar + 1] === "$") {
      out += "$";
      i = dollar + 2;
      continue;
    }
    const ref = readReference(template, dollar + 1);
    if (ref === undefined) {
      out += "$";
      i = dollar + 1;
      continue;
    }
    if (ref.name === "0") out += matched;
    i = ref.end;
  }
  return out;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Reads `name` or `{name}` at `at`; undefined when malformed. */
function readReference(template: string, at: number): { name: string; end: number } | undefined {
  const braced = template[at] === "{";
  let i = braced ? at + 1 : at;
  const nameStart = i;
  while (i < template.length) {
    const cp = template.codePointAt(i) ?? 0; // i < length: always defined
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === nameStart) return undefined;
  const name = template.slice(nameStart, i);
  if (braced) {
    if (template[i] !== "}") return undefined;
    i++;
  }
  return { name, end: i };
}
