import { BASE_CREATED_BY } from "./base-image";
import type { BuildkitCase, ConfigExpectation } from "./case";
import type { BuildOutcome } from "./builders";
import type { FsEntry, ReadImage } from "./image-reader";

const octal = (m: number) => "0" + m.toString(8).padStart(3, "0");

function keys(v: unknown): string[] | undefined {
  return v && typeof v === "object" ? Object.keys(v).sort() : undefined;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Checks one builder's outcome against the upstream assertions of a case; returns the failures
 * (empty: every assertion holds).
 */
export function checkUpstream(
  c: BuildkitCase,
  outcome: BuildOutcome,
  image: ReadImage | undefined,
  baseRef: string,
): string[] {
  const exp = c.expect;
  const fails: string[] = [];
  const errors = exp.error === undefined ? [] : Array.isArray(exp.error) ? exp.error : [exp.error];
  if (errors.length > 0) {
    if (outcome.ok)
      return [`the build succeeded; upstream expects an error containing ${JSON.stringify(errors)}`];
    for (const e of errors) {
      if (!outcome.error.toLowerCase().includes(e.toLowerCase()))
        fails.push(`the error does not contain ${JSON.stringify(e)}:\n${outcome.error}`);
    }
    return fails;
  }
  if (!outcome.ok) return [`the build failed; upstream expects success:\n${outcome.error}`];
  if (!image) return ["no image was read"];
  for (const [p, f] of Object.entries(exp.files ?? {})) {
    const e: FsEntry | undefined = image.fs.get(p);
    if (f.exists === false) {
      if (e) fails.push(`${p}: exists (${e.type}); upstream expects it absent`);
      continue;
    }
    if (!e) {
      fails.push(`${p}: missing`);
      continue;
    }
    if (f.type && e.type !== f.type) fails.push(`${p}: is a ${e.type}, expected a ${f.type}`);
    if (f.content !== undefined) {
      const got = e.content?.toString("utf8");
      if (got !== f.content.replaceAll("{{busybox}}", baseRef))
        fails.push(`${p}: content ${JSON.stringify(got)}, expected ${JSON.stringify(f.content)}`);
    }
    const text = e.content?.toString("utf8") ?? "";
    for (const want of f.contains ?? [])
      if (!text.includes(want))
        fails.push(`${p}: content ${JSON.stringify(text)} lacks ${JSON.stringify(want)}`);
    for (const bad of f.notContains ?? [])
      if (text.includes(bad))
        fails.push(`${p}: content ${JSON.stringify(text)} contains ${JSON.stringify(bad)}`);
    if (f.contentMatches && !f.contentMatches.test(e.content?.toString("utf8") ?? ""))
      fails.push(
        `${p}: content ${JSON.stringify(e.content?.toString("utf8"))} does not match ${f.contentMatches}`,
      );
    if (f.mode !== undefined && e.mode !== f.mode)
      fails.push(`${p}: mode ${octal(e.mode)}, expected ${octal(f.mode)}`);
    if (f.uid !== undefined && e.uid !== f.uid) fails.push(`${p}: uid ${e.uid}, expected ${f.uid}`);
    if (f.gid !== undefined && e.gid !== f.gid) fails.push(`${p}: gid ${e.gid}, expected ${f.gid}`);
    if (f.linkTarget !== undefined && e.linkTarget !== f.linkTarget)
      fails.push(
        `${p}: link target ${JSON.stringify(e.linkTarget)}, expected ${JSON.stringify(f.linkTarget)}`,
      );
  }
  fails.push(...checkConfig(exp.config ?? {}, image.config.config ?? {}, baseRef));
  if (exp.created !== undefined) {
    const want = Date.parse(exp.created);
    const cfg = image.config as { created?: string };
    if (Date.parse(cfg.created ?? "") !== want)
      fails.push(`config.created ${cfg.created}, expected ${exp.created}`);
    for (const [i, h] of (image.config.history ?? []).entries()) {
      const hc = (h as { created?: string }).created;
      if (h.created_by !== BASE_CREATED_BY && Date.parse(hc ?? "") !== want)
        fails.push(`history[${i}].created ${hc}, expected ${exp.created}`);
    }
  }
  if (exp.platform !== undefined) {
    const cfg = image.config as { os?: string; architecture?: string };
    if (`${cfg.os}/${cfg.architecture}` !== exp.platform)
      fails.push(`platform ${cfg.os}/${cfg.architecture}, expected ${exp.platform}`);
  }
  if (exp.layers !== undefined && image.layerCount !== exp.layers)
    fails.push(`the image has ${image.layerCount} layers, expected ${exp.layers}`);
  if (exp.history) {
    const hist = (image.config.history ?? []).filter((h) => h.created_by !== BASE_CREATED_BY);
    if (hist.length !== exp.history.length)
      fails.push(
        `history has ${hist.length} entries after the base, expected ${exp.history.length}: ${JSON.stringify(hist.map((h) => h.created_by))}`,
      );
    exp.history.forEach((h, i) => {
      const got = hist[i];
      if (!got) return;
      const by = got.created_by ?? "";
      if (h.createdBy !== undefined && by !== h.createdBy.replaceAll("{{busybox}}", baseRef))
        fails.push(`history[${i}].created_by ${JSON.stringify(by)}, expected ${JSON.stringify(h.createdBy)}`);
      if (h.createdByContains !== undefined && !by.includes(h.createdByContains))
        fails.push(
          `history[${i}].created_by ${JSON.stringify(by)} does not contain ${JSON.stringify(h.createdByContains)}`,
        );
      if (h.emptyLayer !== undefined && (got.empty_layer ?? false) !== h.emptyLayer)
        fails.push(`history[${i}] (${by}) empty_layer ${got.empty_layer ?? false}, expected ${h.emptyLayer}`);
    });
  }
  return fails;
}

function checkConfig(exp: ConfigExpectation, got: Record<string, unknown>, baseRef: string): string[] {
  const fails: string[] = [];
  const sub = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll("{{busybox}}", baseRef)) as unknown;
  for (const [k, v] of Object.entries(exp)) {
    if (k === "EnvContains") {
      const env = (got.Env as string[] | undefined) ?? [];
      for (const e of v as string[])
        if (!env.includes(e)) fails.push(`config.Env ${JSON.stringify(env)} lacks ${JSON.stringify(e)}`);
      continue;
    }
    let actual = got[k];
    if (k === "ExposedPorts" || k === "Volumes") actual = keys(actual);
    if (v === null ? actual !== undefined && actual !== null : !same(actual ?? null, sub(v)))
      fails.push(`config.${k} ${JSON.stringify(actual)}, expected ${JSON.stringify(v)}`);
  }
  return fails;
}
