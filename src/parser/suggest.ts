/**
 * "Did you mean ...?" for misspelt keywords, flags and keys: the closest candidate by edit
 * distance (case-insensitive), if it is close enough to be a likely typo.
 */

/** Levenshtein distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate closest to `word`, or undefined when none is within the typo threshold
 * (a third of the word's length, at least one edit, at most three). Ties keep the first.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const needle = word.toLowerCase();
  const threshold = Math.min(3, Math.max(1, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= threshold ? best : undefined;
}

/** ` (did you mean X?)` or "" — ready to append to a message. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = suggest(word, candidates);
  return hit === undefined ? "" : ` (did you mean ${hit}?)`;
}

/**
 * BuildKit's own suggestion rule (util/suggest WrapError): the first candidate at the smallest
 * edit distance below 3, none on an exact match; for messages whose wording follows BuildKit's.
 */
export function buildkitDidYouMean(word: string, candidates: Iterable<string>): string {
  const needle = word.toLowerCase();
  let best: string | undefined;
  let min = 3;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === needle) return "";
    const d = editDistance(needle, c);
    if (d < min) {
      best = candidate;
      min = d;
    }
  }
  return best === undefined ? "" : ` (did you mean ${best}?)`;
}
