// Go-style durations and days ("500ms", "90s", "15m", "2160h", "90d", "1h30m"), as the CRDs and flags accept them.
import { durationExamples, durationPattern } from "../api/schemaHelpers.ts";

const part = /([0-9]+)(ms|d|h|m|s)/g;
const unitMs = { ms: 1, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const whole = new RegExp(durationPattern);

export function parseDuration(text: string): number {
  if (!whole.test(text))
    throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. ${durationExamples})`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(part)) {
    total += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  return total;
}
