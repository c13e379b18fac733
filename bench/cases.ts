// The benchmark cases, each run against one server launcher. "Cold" is the first request to a
// freshly started process (after it has answered one list request, so the HTTP stack is up but no
// table was read); "warm" repeats the request on the same process and takes the median.
import { median, okRequest, type Timed } from "./http.ts";
import { type LoadResult, runLoad } from "./load.ts";
import type { BenchServer, Launcher } from "./servers.ts";
import { schemaName, shareName, tableName, wideShareName } from "./tables.ts";

export interface Timing {
  coldMs: number[];
  warmMs: number[];
}

export interface CaseResults {
  startupMs: number[];
  query: Record<string, Timing>;
  metadata?: Timing;
  listAllTables?: Timing & { tables: number };
  /** Load cases by name: throughput, latency and errors under concurrent requests. */
  loads: Record<string, LoadResult>;
  /** Peak RSS (bytes) of the process that served each table's cold and warm queries. */
  peakRss: Record<string, number>;
  /** The 1M-file table by variant ("default" flags, or a capped heap): cold and warm, peak RSS. */
  million: Record<string, MillionResult>;
  errors: string[];
}

export type MillionResult =
  | { coldMs: number; warmMs: number; peakRss: number }
  | { error: string; peakRss: number };

export interface Plan {
  sizes: number[];
  coldRuns: number;
  warmRuns: (files: number) => number;
  metadataRuns: number;
  listRuns: number;
  wideTables: number;
  load: { connections: number; seconds: number; threads: number; files: number; bigFiles: number };
  /** The peak-RSS case; heapCapMiB reruns ours with V8's old space capped at that size. */
  million?: { files: number; timeoutMs: number; heapCapMiB?: number };
  workDir: string;
  log: (line: string) => void;
}

const queryBody = {};

function queryUrl(server: BenchServer, files: number): string {
  return `${server.base}/shares/${shareName}/schemas/${schemaName}/tables/${tableName(files)}/query`;
}

function metadataUrl(server: BenchServer, files: number): string {
  return `${server.base}/shares/${shareName}/schemas/${schemaName}/tables/${tableName(files)}/metadata`;
}

async function query(server: BenchServer, files: number, timeoutMs?: number): Promise<Timed> {
  const answer = await okRequest({
    method: "POST",
    url: queryUrl(server, files),
    token: server.token,
    body: queryBody,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  // protocol and metadata lines, then one line per file
  if (answer.lines !== files + 2) {
    throw new Error(
      `${server.name}: /query on ${files} files gave ${answer.lines} lines: ${answer.head.slice(0, 300)}`,
    );
  }
  return answer;
}

/** Every page of the share's all-tables listing, 500 at a time (the reference server's maximum). */
async function listAll(server: BenchServer): Promise<{ ms: number; tables: number }> {
  const start = process.hrtime.bigint();
  let tables = 0;
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const url = new URL(`${server.base}/shares/${wideShareName}/all-tables`);
    url.searchParams.set("maxResults", "500");
    if (token) url.searchParams.set("pageToken", token);
    const answer = await okRequest({
      method: "GET",
      url: url.toString(),
      token: server.token,
      keepBody: true,
    });
    const body = JSON.parse(answer.body ?? "{}") as { items?: unknown[]; nextPageToken?: string };
    tables += body.items?.length ?? 0;
    token = body.nextPageToken || undefined;
    if (!token) break;
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, tables };
}

async function withServer<T>(
  launcher: Launcher,
  results: CaseResults,
  work: (server: BenchServer) => Promise<T>,
): Promise<T | undefined> {
  let server: BenchServer | undefined;
  try {
    server = await launcher.start();
    results.startupMs.push(server.startupMs);
    return await work(server);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.errors.push(message.slice(0, 2000));
    return undefined;
  } finally {
    await server?.stop();
  }
}

export async function runQueryCases(launcher: Launcher, plan: Plan, results: CaseResults): Promise<void> {
  for (const files of plan.sizes) {
    const timing: Timing = { coldMs: [], warmMs: [] };
    results.query[tableName(files)] = timing;
    for (let run = 0; run < plan.coldRuns; run++) {
      await withServer(launcher, results, async (server) => {
        timing.coldMs.push((await query(server, files)).ms);
        if (run > 0) return;
        for (let i = 0; i < plan.warmRuns(files); i++) timing.warmMs.push((await query(server, files)).ms);
        results.peakRss[tableName(files)] = server.peakRss();
      });
    }
    plan.log(
      `${launcher.name} /query ${tableName(files)}: cold ${fmt(median(timing.coldMs))} ms, warm ${fmt(median(timing.warmMs))} ms`,
    );
  }
}

export async function runMetadataCases(
  launcher: Launcher,
  plan: Plan,
  results: CaseResults,
  files: number,
): Promise<void> {
  const timing: Timing = { coldMs: [], warmMs: [] };
  results.metadata = timing;
  for (let run = 0; run < plan.coldRuns; run++) {
    await withServer(launcher, results, async (server) => {
      const request = { method: "GET" as const, url: metadataUrl(server, files), token: server.token };
      timing.coldMs.push((await okRequest(request)).ms);
      if (run > 0) return;
      for (let i = 0; i < plan.metadataRuns; i++) timing.warmMs.push((await okRequest(request)).ms);
    });
  }
  plan.log(
    `${launcher.name} /metadata ${tableName(files)}: cold ${fmt(median(timing.coldMs))} ms, warm ${fmt(median(timing.warmMs))} ms`,
  );
}

export async function runListAndLoadCases(
  launcher: Launcher,
  plan: Plan,
  results: CaseResults,
): Promise<void> {
  await withServer(launcher, results, async (server) => {
    const list: Timing & { tables: number } = { coldMs: [], warmMs: [], tables: 0 };
    results.listAllTables = list;
    const first = await listAll(server);
    list.coldMs.push(first.ms);
    list.tables = first.tables;
    if (first.tables !== plan.wideTables) {
      throw new Error(`${server.name}: listed ${first.tables} tables, expected ${plan.wideTables}`);
    }
    for (let i = 0; i < plan.listRuns; i++) list.warmMs.push((await listAll(server)).ms);
    plan.log(
      `${launcher.name} list ${first.tables} tables: first ${fmt(first.ms)} ms, warm ${fmt(median(list.warmMs))} ms`,
    );

    await runLoadCases(server, plan, results, false);
  });
  if (launcher.name !== "ours") return;
  // several recipients: only ours has them (the reference server has one token for everyone)
  const tokens = ["a", "b", "c", "d"].map((name) => `${name}-${Math.random().toString(36).slice(2)}`);
  await withServer(
    { ...launcher, start: (options) => launcher.start({ ...options, recipientTokens: tokens }) },
    results,
    async (server) => {
      await runLoadCases({ ...server, token: tokens[0] as string }, plan, results, true, tokens);
    },
  );
}

export interface LoadCase {
  name: string;
  method: "GET" | "POST";
  url: string;
  warmUp: () => Promise<unknown>;
}

function loadCases(server: BenchServer, plan: Plan): LoadCase[] {
  const { files, bigFiles } = plan.load;
  const metadataFiles = Math.max(...plan.sizes);
  return [
    {
      name: `/query ${tableName(files)}`,
      method: "POST",
      url: queryUrl(server, files),
      warmUp: () => query(server, files),
    },
    {
      name: `/query ${tableName(bigFiles)}`,
      method: "POST",
      url: queryUrl(server, bigFiles),
      warmUp: () => query(server, bigFiles),
    },
    {
      name: `/metadata ${tableName(metadataFiles)}`,
      method: "GET",
      url: metadataUrl(server, metadataFiles),
      warmUp: () =>
        okRequest({ method: "GET", url: metadataUrl(server, metadataFiles), token: server.token }),
    },
  ];
}

async function runLoadCases(
  server: BenchServer,
  plan: Plan,
  results: CaseResults,
  recipients: boolean,
  tokens: string[] = [server.token],
): Promise<void> {
  const cases = loadCases(server, plan);
  // with several recipients, the small /query only: what differs is who asks, not what
  for (const loadCase of recipients ? cases.slice(0, 1) : cases) {
    for (let i = 0; i < 3; i++) await loadCase.warmUp();
    const name = `${loadCase.name}${recipients ? `, ${tokens.length} recipients` : ""}`;
    const result = await runLoad({
      url: loadCase.url,
      method: loadCase.method,
      tokens,
      ...(loadCase.method === "POST" ? { body: queryBody } : {}),
      connections: plan.load.connections,
      seconds: plan.load.seconds,
      threads: plan.load.threads,
      workDir: plan.workDir,
    });
    results.loads[name] = result;
    results.peakRss[`load ${name}`] = server.peakRss();
    plan.log(
      `${server.name} load ${name}: ${result.errors} errors, ` +
        (result.errors === 0 ? `${fmt(result.requestsPerSecond)} req/s, ` : "no throughput (errors), ") +
        `p99 ${fmt(result.p99Ms)} ms`,
    );
  }
}

export async function runMillionCase(
  launcher: Launcher,
  plan: Plan,
  results: CaseResults,
  variant: { key: string; runtimeArgs: string[] } = { key: "default", runtimeArgs: [] },
): Promise<void> {
  const million = plan.million;
  if (!million) return;
  const what = `${launcher.name} /query ${tableName(million.files)} (${variant.key})`;
  let server: BenchServer | undefined;
  try {
    server = await launcher.start({ runtimeArgs: variant.runtimeArgs });
    const cold = await query(server, million.files, million.timeoutMs);
    // a second slow pass would only tell the same story and could double the run
    const warm =
      cold.ms < million.timeoutMs / 3 ? await query(server, million.files, million.timeoutMs) : undefined;
    results.million[variant.key] = { coldMs: cold.ms, warmMs: warm?.ms ?? NaN, peakRss: server.peakRss() };
    plan.log(
      `${what}: cold ${fmt(cold.ms)} ms, warm ${fmt(warm?.ms ?? Number.NaN)} ms, peak RSS ${mib(server.peakRss())} MiB`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.million[variant.key] = { error: message.slice(0, 500), peakRss: server?.peakRss() ?? NaN };
    plan.log(`${what} failed: ${message.slice(0, 300)}`);
  } finally {
    await server?.stop();
  }
}

export function emptyResults(): CaseResults {
  return { startupMs: [], query: {}, peakRss: {}, million: {}, loads: {}, errors: [] };
}

export function fmt(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(0) : "–";
}
