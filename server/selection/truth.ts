// Three-valued logic over a whole file. A mask holds the truth values a predicate may take on the
// file's rows: bit T (some row may make it true), F (false) and N (null, SQL's unknown). Masks only
// ever over-approximate, so a file whose mask lacks T holds no matching row and can be dropped.

export const T = 1;
export const F = 2;
export const N = 4;
export const anything = T | F | N;
export const none = 0;

export function not(mask: number): number {
  return (mask & N) | ((mask & T) << 1) | ((mask & F) >> 1);
}

// Exact over all pairs of child values, which covers whatever pairs the rows really hold.
export function and(a: number, b: number): number {
  if (a === none || b === none) return none;
  let mask = a & b & T;
  if (a & F || b & F) mask |= F;
  if ((a & N && b & (T | N)) || (a & T && b & N)) mask |= N;
  return mask;
}

export function or(a: number, b: number): number {
  if (a === none || b === none) return none;
  let mask = a & b & F;
  if (a & T || b & T) mask |= T;
  if ((a & N && b & (F | N)) || (a & F && b & N)) mask |= N;
  return mask;
}
