// Durations on the command line: a number and a unit, "90d", "12h", "30m", "45s".

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Milliseconds in a duration like "90d"; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  const unit = match?.[2] === undefined ? undefined : unitSeconds[match[2]];
  if (!match?.[1] || unit === undefined || Number(match[1]) === 0) {
    throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 90d, 12h, 30m, 45s)`);
  }
  return Number(match[1]) * unit * 1000;
}
