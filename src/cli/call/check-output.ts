import type { CheckReport } from "../../engine/check";
import { goJson, location } from "./go-json";
import { sourceExcerpt } from "./source-excerpt";

/** `--call check,format=json`: BuildKit's lint result (warnings, sources, buildError). */
export function checkJson(report: CheckReport): string {
  const warnings = report.warnings.map((w) => ({
    ruleName: w.rule,
    ...(w.description !== "" ? { description: w.description } : {}),
    ...(w.url !== "" ? { url: w.url } : {}),
    detail: w.message,
    ...(w.span ? { location: location(w.span.start.line, w.span.end.line) } : {}),
  }));
  const sources = [
    { filename: report.file, data: Buffer.from(report.text).toString("base64"), language: "Dockerfile" },
  ];
  const out: Record<string, unknown> = { warnings, sources };
  if (report.error !== undefined) {
    out.buildError = {
      message: report.error.message,
      ...(report.error.span
        ? { location: location(report.error.span.start.line, report.error.span.end.line) }
        : {}),
    };
  }
  return goJson(out) + "\n";
}

/**
 * `--call check` as buildx prints it: a count line, then per warning `WARNING: Rule - URL`, the
 * detail and the source excerpt; "Check complete, no warnings found." when there are none.
 */
export function checkText(report: CheckReport): string {
  const n = report.warnings.length;
  let out = "";
  if (n > 0)
    out += `Check complete, ${n === 1 ? "1 warning has been found!" : `${n} warnings have been found!`}\n`;
  for (const w of report.warnings) {
    out += `\nWARNING: ${w.rule}${w.url !== "" ? ` - ${w.url}` : ""}\n${w.message}\n`;
    if (w.span) out += sourceExcerpt(report.file, report.text, w.span.start.line, w.span.end.line);
  }
  if (report.error === undefined && n === 0) out += "Check complete, no warnings found.\n";
  return out;
}

/** The failure after the listing (stderr): the message and where it points, as PrintErrorTo writes it. */
export function checkErrorText(report: CheckReport): string {
  const error = report.error;
  if (error === undefined) return "";
  const excerpt = error.span
    ? sourceExcerpt(report.file, report.text, error.span.start.line, error.span.end.line)
    : "";
  return `ERROR: ${error.message}\n${excerpt}`;
}
