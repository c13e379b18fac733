// Go-style durations ("500ms", "90s", "15m", "2160h", "1h30m"), as the CRDs and flags accept them.
import { durationPattern } from "../api/schemaHelpers.ts";

const part = /([0-9]+)(ms|h|m|s)/g;
const unitMs = { ms: 1, h: 3_600_000, m: 60_000, s: 1000 } as const;
const whole = new RegExp(durationPattern);

export function parseDuration(text: string): number {
  if (!whole.test(text)) throw new Error(`not a duration: ${text} (use e.g. 500ms, 90s, 15m, 2160h)`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(part)) {
    total += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  return total;
}
