import { isRecord } from "../guards";

/** An error's message and its cause's (fetch says only "fetch failed"; the cause says why). */
export function fetchErrorMessage(err: unknown): string {
  // Not instanceof: fetch's errors may come from another realm (vm contexts, test runners).
  const message = (e: unknown): string | undefined =>
    isRecord(e) && typeof e["message"] === "string" ? e["message"] : undefined;
  const own = message(err);
  if (own === undefined) return String(err);
  const cause = isRecord(err) ? message(err["cause"]) : undefined;
  return cause !== undefined ? `${own} (${cause})` : own;
}
