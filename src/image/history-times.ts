import type { HistoryEntry } from "./config";

/**
 * Gives every history entry without a `created` time its neighbours' time, as BuildKit's image
 * exporter does (normalizeLayersAndHistory): entries before the build's first timed entry take
 * that entry's time, later ones the time of the timed entry before them. Returns the image's
 * `created`: the last entry's time (`fallback` when no entry has one).
 */
export function fillHistoryCreated(history: HistoryEntry[], fallback: string): string {
  // The first timed entry that follows an untimed one; else the last timed entry.
  let created: string | undefined;
  let untimed = false;
  for (const h of history) {
    if (h.created !== undefined) {
      created = h.created;
      if (untimed) break;
    } else untimed = true;
  }
  created ??= fallback;
  untimed = false;
  for (let i = 0; i < history.length; i++) {
    const h = history[i];
    if (h.created !== undefined) {
      if (untimed) created = h.created;
    } else {
      untimed = true;
      history[i] = { created, ...h };
    }
  }
  return history.at(-1)?.created ?? fallback;
}
