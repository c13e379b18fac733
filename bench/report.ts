// The ratio table (printed, and written to bench/RESULTS.md with the machine and versions).
import { type CaseResults, emptyResults, fmt, type MillionResult } from "./cases.ts";
import { median } from "./http.ts";
import type { PresignResult } from "./presign.ts";
import { tableName } from "./tables.ts";

export interface Row {
  case: string;
  ours: string;
  reference: string;
  /** How many times better ours is (reference / ours for times, ours / reference for rates). */
  ratio: string;
  target: string;
  verdict: string;
}

interface Target {
  text: string;
  /** Minimum ratio (reference/ours) to meet it. */
  atLeast?: number;
  /** An absolute check on ours alone. */
  check?: (ours: number) => boolean;
}

function row(
  name: string,
  ours: number,
  reference: number,
  unit: string,
  lowerIsBetter: boolean,
  target?: Target,
): Row {
  const ratio = lowerIsBetter ? reference / ours : ours / reference;
  const hasRatio = Number.isFinite(ratio) && ratio > 0;
  let verdict = "";
  if (target?.atLeast !== undefined) {
    verdict = hasRatio ? (ratio >= target.atLeast ? "met" : "NOT met") : "no reference";
  } else if (target?.check) {
    verdict = Number.isFinite(ours) ? (target.check(ours) ? "met" : "NOT met") : "no result";
  }
  return {
    case: name,
    ours: Number.isFinite(ours) ? `${fmt(ours)} ${unit}` : "–",
    reference: Number.isFinite(reference) ? `${fmt(reference)} ${unit}` : "–",
    ratio: hasRatio ? `${ratio.toFixed(ratio >= 10 ? 0 : 1)}x` : "–",
    target: target?.text ?? "",
    verdict,
  };
}

const toMiB = (bytes: number | undefined) => (bytes === undefined ? NaN : bytes / 2 ** 20);
const med = (values: number[] | undefined) => (values && values.length > 0 ? median(values) : NaN);

export function buildRows(
  sizes: number[],
  ours: CaseResults,
  reference: CaseResults | undefined,
  presign: PresignResult,
  millionFiles: number | undefined,
  floors: Record<string, number>,
): Row[] {
  const ref = reference ?? emptyResults();
  const rows: Row[] = [];
  const biggest = Math.max(...sizes);
  for (const files of sizes) {
    const name = tableName(files);
    const o = ours.query[name];
    const r = ref.query[name];
    const big = files === biggest && files >= 100_000;
    rows.push(
      row(
        `/query ${name} cold`,
        med(o?.coldMs),
        med(r?.coldMs),
        "ms",
        true,
        big ? { text: "< 1000 ms (load < 1)", check: (ms) => ms < 1000 } : undefined,
      ),
      row(`/query ${name} warm`, med(o?.warmMs), med(r?.warmMs), "ms", true),
    );
    const floor = floors[name];
    if (floor !== undefined) {
      rows.push(
        row(
          `floor for ${name}: sign ${files} URLs (cached key) + write ${files} lines`,
          floor,
          NaN,
          "ms",
          true,
        ),
        row(`/query ${name} warm ÷ floor`, med(o?.warmMs) / floor, NaN, "x", true, {
          text: big ? "≤ 1.5x" : "",
          ...(big ? { check: (x: number) => x <= 1.5 } : {}),
        }),
      );
    }
  }
  const biggestName = tableName(biggest);
  rows.push(
    row(`/metadata ${biggestName} cold`, med(ours.metadata?.coldMs), med(ref.metadata?.coldMs), "ms", true),
    row(`/metadata ${biggestName} warm`, med(ours.metadata?.warmMs), med(ref.metadata?.warmMs), "ms", true),
  );
  const tables = ours.listAllTables?.tables ?? 0;
  rows.push(
    row(
      `list all ${tables} tables, first`,
      med(ours.listAllTables?.coldMs),
      med(ref.listAllTables?.coldMs),
      "ms",
      true,
    ),
    row(
      `list all ${tables} tables, warm`,
      med(ours.listAllTables?.warmMs),
      med(ref.listAllTables?.warmMs),
      "ms",
      true,
    ),
  );
  for (const [name, load] of Object.entries(ours.loads)) {
    const other = ref.loads[name];
    const what = `load ${name}, ${load.connections} connections, ${load.seconds} s:`;
    // a throughput with errors counts answers that were not answers: none is given then
    const rate = (result: typeof load | undefined) =>
      result && result.errors === 0 ? result.requestsPerSecond : Number.NaN;
    rows.push(
      row(`${what} errors`, load.errors, other?.errors ?? NaN, "", true, {
        text: "0",
        check: (errors) => errors === 0,
      }),
      row(`${what} throughput (0 errors only)`, rate(load), rate(other), "req/s", false),
      row(`${what} p99`, load.p99Ms, other?.p99Ms ?? NaN, "ms", true),
    );
  }
  rows.push(
    row(
      `peak RSS, ${biggestName} cold+warm`,
      toMiB(ours.peakRss[biggestName]),
      toMiB(ref.peakRss[biggestName]),
      "MiB",
      true,
    ),
  );
  if (millionFiles !== undefined) {
    const name = tableName(millionFiles);
    const value = (result: MillionResult | undefined, key: "coldMs" | "warmMs") =>
      result && key in result ? (result as Record<typeof key, number>)[key] : NaN;
    const rssTarget = { text: "ours < 768 MiB", check: (value: number) => value < 768 };
    for (const [variant, result] of Object.entries(ours.million)) {
      const other = variant === "default" ? ref.million.default : undefined;
      const label = variant === "default" ? name : `${name}, ours ${variant}`;
      rows.push(
        row(`/query ${label} cold`, value(result, "coldMs"), value(other, "coldMs"), "ms", true),
        row(`/query ${label} warm`, value(result, "warmMs"), value(other, "warmMs"), "ms", true),
        row(`peak RSS, ${label}`, toMiB(result.peakRss), toMiB(other?.peakRss), "MiB", true, rssTarget),
      );
    }
  }
  rows.push(row("start-up to first answer", med(ours.startupMs), med(ref.startupMs), "ms", true));
  rows.push(
    row(
      "presign: ours vs raw SigV4 chain",
      presign.oursNs / 1000,
      presign.rawChainNs / 1000,
      "µs/URL",
      true,
      {
        text: "ours ≤ 2x raw",
        check: (us) => us <= (2 * presign.rawChainNs) / 1000,
      },
    ),
    row(
      "presign: ours vs raw, signing key cached",
      presign.oursNs / 1000,
      presign.rawCachedKeyNs / 1000,
      "µs/URL",
      true,
    ),
    row("presign: ours vs AWS SDK presigner", presign.oursNs / 1000, presign.sdkNs / 1000, "µs/URL", true),
  );
  return rows;
}

export function markdownTable(rows: Row[]): string {
  const header = "| case | ours | reference | ours better by | target | |\n|---|---:|---:|---:|---|---|";
  return [
    header,
    ...rows.map(
      (r) => `| ${r.case} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.target} | ${r.verdict} |`,
    ),
  ].join("\n");
}

export function textTable(rows: Row[]): string {
  const columns: (keyof Row)[] = ["case", "ours", "reference", "ratio", "target", "verdict"];
  const titles: Record<keyof Row, string> = {
    case: "case",
    ours: "ours",
    reference: "reference",
    ratio: "better by",
    target: "target",
    verdict: "",
  };
  const widths = columns.map((c) => Math.max(titles[c].length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  return [line(columns.map((c) => titles[c])), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}
