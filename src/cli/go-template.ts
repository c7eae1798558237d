import { TsbuildError, UsageError } from "../errors";

/**
 * The subset of Go's text/template that `docker images|inspect --format` users write:
 * `{{.Field.Sub}}`, `{{.}}`, `{{json .X}}`, `{{index .X 0}}` / `{{index .X "key"}}`,
 * `{{join .X ", "}}`, `{{upper .X}}`, `{{lower .X}}`, `{{len .X}}`, `{{range .X}}…{{end}}`,
 * `{{if .X}}…{{else}}…{{end}}`, with `\t` and `\n` in the text as docker reads them. Anything
 * else is a usage error naming the action.
 */
export class GoTemplate {
  private readonly nodes: Node[];

  constructor(readonly source: string) {
    const tokens = tokenize(source.replace(/\\t/g, "\t").replace(/\\n/g, "\n"));
    const { nodes, rest } = parseNodes(tokens, 0, source);
    if (rest < tokens.length) throw bad(source, `unexpected {{${tokens[rest].text}}}`);
    this.nodes = nodes;
  }

  execute(data: unknown): string {
    return run(this.nodes, data, data, this.source);
  }
}

type Token = { kind: "text"; text: string } | { kind: "action"; text: string };
type Node =
  | { kind: "text"; text: string }
  | { kind: "expr"; expr: string }
  | { kind: "range"; expr: string; body: Node[] }
  | { kind: "if"; expr: string; then: Node[]; else: Node[] };

function bad(source: string, problem: string): UsageError {
  return new UsageError(`--format: ${problem} in template ${JSON.stringify(source)}`);
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open < 0) {
      out.push({ kind: "text", text: text.slice(i) });
      break;
    }
    if (open > i) out.push({ kind: "text", text: text.slice(i, open) });
    const close = text.indexOf("}}", open + 2);
    if (close < 0) throw bad(text, "unclosed action");
    let inner = text.slice(open + 2, close);
    // `{{- x -}}` trims the white space around the action.
    if (inner.startsWith("-") && out.length > 0 && out[out.length - 1].kind === "text") {
      const last = out[out.length - 1];
      last.text = last.text.replace(/\s+$/, "");
    }
    const trimRight = inner.endsWith("-");
    inner = inner.replace(/^-/, "").replace(/-$/, "").trim();
    out.push({ kind: "action", text: inner });
    i = close + 2;
    if (trimRight) while (i < text.length && /\s/.test(text[i])) i++;
  }
  return out;
}

function parseNodes(
  tokens: Token[],
  start: number,
  source: string,
): { nodes: Node[]; rest: number; stop?: string } {
  const nodes: Node[] = [];
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.kind === "text") {
      nodes.push({ kind: "text", text: t.text });
      i++;
      continue;
    }
    if (t.text === "end" || t.text === "else") return { nodes, rest: i, stop: t.text };
    const head = t.text.split(/\s+/)[0];
    if (head === "range" || head === "if") {
      const expr = t.text.slice(head.length).trim();
      const body = parseNodes(tokens, i + 1, source);
      if (body.stop === undefined) throw bad(source, `{{${head}}} without {{end}}`);
      if (head === "range") {
        if (body.stop !== "end") throw bad(source, "{{else}} in {{range}} is not supported");
        nodes.push({ kind: "range", expr, body: body.nodes });
        i = body.rest + 1;
        continue;
      }
      let elseNodes: Node[] = [];
      let rest = body.rest;
      if (body.stop === "else") {
        const alt = parseNodes(tokens, body.rest + 1, source);
        if (alt.stop !== "end") throw bad(source, "{{if}} without {{end}}");
        elseNodes = alt.nodes;
        rest = alt.rest;
      }
      nodes.push({ kind: "if", expr, then: body.nodes, else: elseNodes });
      i = rest + 1;
      continue;
    }
    nodes.push({ kind: "expr", expr: t.text });
    i++;
  }
  return { nodes, rest: i };
}

function run(nodes: Node[], dot: unknown, root: unknown, source: string): string {
  let out = "";
  for (const n of nodes) {
    switch (n.kind) {
      case "text":
        out += n.text;
        break;
      case "expr":
        out += print(evaluate(n.expr, dot, root, source));
        break;
      case "range": {
        const value = evaluate(n.expr, dot, root, source);
        const items = Array.isArray(value)
          ? value
          : value !== null && typeof value === "object"
            ? Object.keys(value)
                .sort()
                // typeof value === "object" above: indexing a plain object's own keys.
                .map((k) => (value as Record<string, unknown>)[k])
            : [];
        for (const item of items) out += run(n.body, item, root, source);
        break;
      }
      case "if":
        out += run(truthy(evaluate(n.expr, dot, root, source)) ? n.then : n.else, dot, root, source);
        break;
    }
  }
  return out;
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** Splits an action into words, keeping quoted strings whole. */
function words(expr: string): string[] {
  return expr.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? [];
}

function evaluate(expr: string, dot: unknown, root: unknown, source: string): unknown {
  const w = words(expr);
  if (w.length === 0) throw bad(source, "empty action {{}}");
  const arg = (word: string): unknown => operand(word, dot, root, source);
  switch (w[0]) {
    case "json":
      if (w.length !== 2) throw bad(source, "json takes one argument");
      return { __raw: JSON.stringify(arg(w[1]) ?? null) };
    case "index": {
      if (w.length < 3) throw bad(source, "index takes a value and keys");
      let v = arg(w[1]);
      for (const k of w.slice(2)) {
        const key = arg(k);
        if (Array.isArray(v) && typeof key === "number") {
          if (key < 0 || key >= v.length)
            throw new TemplateExecError(`error calling index: index out of range: ${key}`);
          v = v[key];
        } else if (v !== null && typeof v === "object" && typeof key === "string") {
          // typeof v === "object" above: a template field of a JSON object.
          v = (v as Record<string, unknown>)[key];
        } else v = undefined;
      }
      return v;
    }
    case "join": {
      const list = arg(w[1]);
      const sep = w.length > 2 ? arg(w[2]) : "";
      return Array.isArray(list) ? list.map((x) => print(x)).join(String(sep)) : "";
    }
    case "upper":
      return print(arg(w[1])).toUpperCase();
    case "lower":
      return print(arg(w[1])).toLowerCase();
    case "len": {
      const v = arg(w[1]);
      return Array.isArray(v)
        ? v.length
        : typeof v === "string"
          ? v.length
          : v && typeof v === "object"
            ? Object.keys(v).length
            : 0;
    }
    case "println":
      return (
        w
          .slice(1)
          .map((x) => print(arg(x)))
          .join(" ") + "\n"
      );
    default:
      if (w.length !== 1) throw bad(source, `unknown function "${w[0]}"`);
      return arg(w[0]);
  }
}

/** A template error found while executing (an index out of range): exit 1, not a usage error. */
export class TemplateExecError extends TsbuildError {
  constructor(message: string) {
    super("TEMPLATE", `--format: ${message}`);
  }
}

function operand(word: string, dot: unknown, root: unknown, source: string): unknown {
  if (/^-?[0-9]+$/.test(word)) return Number(word);
  // a quoted template word is a JSON string literal.
  if (word.startsWith('"')) return JSON.parse(word) as string;
  if (word.startsWith("`")) return word.slice(1, -1);
  if (word === ".") return dot;
  if (word.startsWith("$.")) return path(root, word.slice(2));
  if (word === "$") return root;
  if (word.startsWith(".")) return path(dot, word.slice(1));
  throw bad(source, `unknown function "${word}"`);
}

function path(value: unknown, dotted: string): unknown {
  let v = value;
  for (const field of dotted.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    // typeof v === "object" above: a template field of a JSON object.
    v = (v as Record<string, unknown>)[field];
  }
  return v;
}

/** Go's fmt for template output: strings bare, slices `[a b]`, maps `map[k:v]`, nil `<no value>`. */
function print(v: unknown): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  // "__raw" in v above: the raw-output wrapper this module makes.
  if (typeof v === "object" && v !== null && "__raw" in v) return String((v as { __raw: string }).__raw);
  if (Array.isArray(v)) return `[${v.map(print).join(" ")}]`;
  if (typeof v === "object") {
    const entries = Object.keys(v)
      .sort()
      // typeof v === "object" above: printing a map's own keys.
      .map((k) => `${k}:${print((v as Record<string, unknown>)[k])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(v);
}
