/**
 * "Did you mean" suggestions for a missing COPY source: the candidates within a small edit
 * distance (insertions, deletions, substitutions and swaps of adjacent characters, so
 * "mian.go" → "main.go" costs 1), closest first.
 */
export function closeMatches(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.max(1, Math.min(3, Math.floor(wanted.length / 4)));
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of candidates) {
    if (candidate === wanted || Math.abs(candidate.length - wanted.length) > budget) continue;
    const distance = editDistance(wanted, candidate, budget);
    if (distance <= budget) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** Optimal string alignment distance; returns budget+1 once the distance must exceed budget. */
export function editDistance(a: string, b: string, budget = Infinity): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prev2 = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur = new Array<number>(cols);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > budget) return budget + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[cols - 1];
}
