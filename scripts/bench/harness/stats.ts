// Order statistics for small samples: the bench reports medians and spreads, never means.

/** Linear interpolation between closest ranks (the "R-7" / NumPy default definition). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Spread {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return {
    n: values.length,
    median: median(values),
    p10: quantile(values, 0.1),
    p90: quantile(values, 0.9),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** The most frequent value (the smallest among ties), for counts that should not vary. */
export function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = Number.NaN;
  let bestCount = 0;
  for (const [v, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    if (c > bestCount) [best, bestCount] = [v, c];
  }
  return best;
}

export const ms = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : "—");

/** A report cell: round trips to two decimals. */
export const rt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "—");
/** A report cell: "median (p10–p90)". */
export const range = (s: Spread) => `${ms(s.median)} (${ms(s.p10)}–${ms(s.p90)})`;
/** The verdict cell of a target row. */
export const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "**met**" : "**not met**");
