/** Levenshtein distance: the fewest insertions, deletions and substitutions from `a` to `b`. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitute));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate a typo most likely meant: the nearest (case aside) if it is within a third of
 * what was typed, or one that what was typed begins (`boot` → `bootstrap`). Nothing for a word
 * that resembles no candidate, so a suggestion is never a wild guess.
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const t = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase().startsWith(t) && t.length >= 3 ? 0 : distance(t, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.min(3, Math.floor(t.length / 3) + 1) ? best : undefined;
}

/** ` — did you mean "x"?` or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>, quote = (s: string) => `"${s}"`): string {
  const c = closest(typed, candidates);
  return c === undefined ? '' : ` — did you mean ${quote(c)}?`;
}
