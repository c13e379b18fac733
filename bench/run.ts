// `npm run bench`: our server against the reference server (delta-io's Scala server) on the same
// S3 test server, tables and machine, reported as ratios; the table is printed and written to
// bench/RESULTS.md with the machine, the versions and this command.
//
//   node bench/run.ts [--quick] [--no-reference] [--cpu-prof DIR] [--out FILE] [--huge]
//
// --quick runs small tables and few repetitions (to try the harness); --cpu-prof writes V8 CPU
// profiles of our server's processes into DIR; --huge runs only the 10M-file paged /query and
// writes bench/RESULTS-huge.md.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { repoRoot } from "../test/ground/paths.ts";
import { startS3 } from "../test/ground/s3.ts";
import {
  type CaseResults,
  emptyResults,
  type Plan,
  runListAndLoadCases,
  runMetadataCases,
  runMillionCase,
  runQueryCases,
} from "./cases.ts";
import { measureFloor } from "./floor.ts";
import { runHugeCase } from "./huge.ts";
import { runPresignBenchmark } from "./presign.ts";
import { buildRows, markdownTable, textTable } from "./report.ts";
import { type Launcher, oursLauncher, referenceLauncher } from "./servers.ts";
import { prepareTables, tableName } from "./tables.ts";

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-reference": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    huge: { type: "boolean", default: false },
    out: { type: "string" },
  },
  strict: true,
});

const startedAt = new Date();

async function writeReport(file: string, report: string): Promise<void> {
  await writeFile(file, report);
  // in the repository's own format, so that `biome check .` passes on it
  if (file.startsWith(`${repoRoot}/`)) {
    await run(join(repoRoot, "node_modules", ".bin", "biome"), ["format", "--write", file]).catch((error) =>
      log(`biome format ${file}: ${error instanceof Error ? error.message.split("\n")[0] : error}`),
    );
  }
  log(`wrote ${file}`);
}

const hugeFiles = 10_000_000;
const hugePageSize = 100_000;

async function runHuge(file: string): Promise<void> {
  const loadBefore = loadavg();
  const result = await runHugeCase(s3, workDir, hugeFiles, hugePageSize, log);
  const exact = result.error === undefined && result.duplicates === 0 && result.missing === 0;
  const rssOk = result.peakRss < 4 * 2 ** 30;
  const lines = [
    "# Benchmark: 10M files, paged /query",
    "",
    `Run ${startedAt.toISOString()} with \`npm run bench -- --huge\`; load average before ${loadBefore.map((l) => l.toFixed(1)).join(", ")}, after ${loadavg()
      .map((l) => l.toFixed(1))
      .join(", ")}.`,
    "",
    `- every file exactly once: ${exact ? "yes" : "NO"} (${result.returned} file lines in ${result.pages} pages, maxFiles ${result.pageSize} capped by the server's page limit; ${result.duplicates} repeated, ${result.missing} missing)${result.error ? `; error: ${result.error}` : ""}`,
    `- peak RSS of the server: ${(result.peakRss / 2 ** 20).toFixed(0)} MiB (target < 4096 MiB: ${rssOk ? "met" : "NOT met"})`,
    `- first page ${(result.firstPageMs / 1000).toFixed(1)} s (includes building the snapshot), all pages ${(result.totalMs / 1000).toFixed(1)} s; table generated and uploaded in ${result.generateSeconds.toFixed(0)} s`,
    "",
    "```json",
    JSON.stringify(result, null, 1),
    "```",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  await writeReport(file, lines.join("\n"));
}
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

async function text(command: string, argv: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, argv, { timeout: 60_000 });
    return `${stdout}${stderr}`.trim();
  } catch (error) {
    // some tools (wrk) print their version and exit 1
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    const said = `${stdout}${stderr}`.trim();
    return said || `unavailable (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
}

interface ReferenceInstall {
  classpath?: string;
  version: string;
  why?: string;
}

async function installReference(): Promise<ReferenceInstall> {
  try {
    const { stdout, stderr } = await run("bash", [join(repoRoot, "bench", "reference", "install.sh")], {
      timeout: 1_800_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const classpath = stdout.trim();
    const version =
      /delta-sharing-server_2\.12[-/](\d+\.\d+\.\d+)/.exec(classpath)?.[1] ?? "from DSO_REFERENCE_LIB";
    if (stderr.trim()) log(stderr.trim());
    return { classpath, version };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    const why = (failed.stderr ?? String(error)).trim().split("\n").pop() ?? "install failed";
    return { version: "unavailable", why };
  }
}

const plan: Omit<Plan, "workDir"> = args.quick
  ? {
      sizes: [1000, 10_000],
      coldRuns: 2,
      warmRuns: () => 5,
      metadataRuns: 5,
      listRuns: 5,
      wideTables: 1000,
      load: { connections: 8, seconds: 5, threads: 2, files: 1000, bigFiles: 10_000 },
      log,
    }
  : {
      sizes: [1000, 10_000, 100_000],
      coldRuns: 3,
      warmRuns: (files) => (files >= 100_000 ? 7 : files >= 10_000 ? 10 : 20),
      metadataRuns: 20,
      listRuns: 20,
      wideTables: 1000,
      load: { connections: 16, seconds: 20, threads: 2, files: 1000, bigFiles: 10_000 },
      million: { files: 1_000_000, timeoutMs: 420_000, heapCapMiB: 768 },
      log,
    };

const workDir = await mkdtemp(join(tmpdir(), "dso-bench-"));
const s3 = await startS3();
const out = args.out ?? join(repoRoot, "bench", args.huge ? "RESULTS-huge.md" : "RESULTS.md");
try {
  if (args.huge) {
    await runHuge(out);
    await s3.stop();
    await rm(workDir, { recursive: true, force: true });
    process.exit(0);
  }
  await run("bash", [join(repoRoot, "bench", "install.sh")], { timeout: 300_000 });
  const loadBefore = loadavg();
  const machine = {
    cpu: `${cpus()[0]?.model ?? "?"} × ${cpus().length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: await text("uname", ["-sr"]),
    node: process.version,
    java: (await text("java", ["-version"])).split("\n")[0] ?? "",
    wrk: (await text("wrk", ["--version"])).split("\n")[0]?.split(" Copyright")[0] ?? "",
    commit: await text("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"]),
    dirty: (await text("git", ["-C", repoRoot, "status", "--porcelain", "server"])) !== "",
  };
  log(
    `machine: ${machine.cpu}, ${machine.memory}, load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")}`,
  );

  log("presign micro-benchmark");
  const presign = await runPresignBenchmark();
  log(
    `presign per URL: raw chain ${(presign.rawChainNs / 1000).toFixed(1)} µs, raw cached key ${(presign.rawCachedKeyNs / 1000).toFixed(1)} µs, ` +
      `ours ${(presign.oursNs / 1000).toFixed(1)} µs, AWS SDK ${(presign.sdkNs / 1000).toFixed(1)} µs`,
  );

  const reference = args["no-reference"]
    ? { version: "not run (--no-reference)", why: "--no-reference" }
    : await installReference();
  if (reference.why) log(`reference server: ${reference.why}`);

  // the floor of a warm /query per size, in this run, on this machine
  const floors: Record<string, number> = {};
  for (const files of plan.sizes) {
    floors[tableName(files)] = await measureFloor(files);
    log(`floor for ${tableName(files)}: ${floors[tableName(files)]?.toFixed(1)} ms`);
  }

  const sizes = [...plan.sizes, ...(plan.million ? [plan.million.files] : [])];
  const tables = await prepareTables(s3, workDir, sizes, plan.wideTables, log);
  const token = `bench-${Math.random().toString(36).slice(2)}`;
  const launchers: Launcher[] = [oursLauncher(s3, tables.catalog, workDir, token)];
  if (reference.classpath) {
    launchers.push(
      await referenceLauncher(s3, tables.catalog, workDir, token, reference.classpath, reference.version),
    );
  }
  if (args["cpu-prof"]) {
    const ours = launchers[0] as Launcher;
    const start = ours.start;
    ours.start = (options = {}) =>
      start({
        runtimeArgs: [...(options.runtimeArgs ?? []), "--cpu-prof", `--cpu-prof-dir=${args["cpu-prof"]}`],
      });
  }

  const full: Plan = { ...plan, workDir };
  const results = new Map<string, CaseResults>(launchers.map((l) => [l.name, emptyResults()]));
  const each = async (work: (launcher: Launcher, results: CaseResults) => Promise<void>) => {
    // one server after the other on each case, so a change in the machine's load hits both alike
    for (const launcher of launchers) await work(launcher, results.get(launcher.name) as CaseResults);
  };
  await each((l, r) => runQueryCases(l, full, r));
  await each((l, r) => runMetadataCases(l, full, r, Math.max(...plan.sizes)));
  await each((l, r) => runListAndLoadCases(l, full, r));
  await each((l, r) => runMillionCase(l, full, r));
  // the same with V8's heap capped as a 1 GiB container would want it: is the live set under 1 GiB?
  const cap = plan.million?.heapCapMiB;
  if (cap !== undefined) {
    const variant = { key: `heap capped at ${cap} MiB`, runtimeArgs: [`--max-old-space-size=${cap}`] };
    await runMillionCase(launchers[0] as Launcher, full, results.get("ours") as CaseResults, variant);
  }

  const ours = results.get("ours") as CaseResults;
  const ref = results.get("reference");
  const rows = buildRows(plan.sizes, ours, ref, presign, plan.million?.files, floors);
  const loadAfter = loadavg();
  process.stdout.write(`\n${textTable(rows)}\n\n`);
  for (const [name, r] of results) for (const error of r.errors) log(`${name} error: ${error}`);

  const minutes = ((Date.now() - startedAt.getTime()) / 60_000).toFixed(1);
  const command = `npm run bench${args.quick ? " -- --quick" : ""}${args["no-reference"] ? " -- --no-reference" : ""}`;
  const report = [
    "# Benchmarks: our server against the reference server",
    "",
    `Run ${startedAt.toISOString()} with \`${command}\` (${minutes} min). Reproduce with the same command on`,
    "the same kind of machine; `bench/run.ts` says what each case measures.",
    "",
    markdownTable(rows),
    "",
    '"Better by" is reference time / our time (ours / reference for throughput). Cold: the first',
    "request to a freshly started process that has answered one list request; warm: the median of",
    "repeated requests on the same process. Medians throughout; presign rows are the best of three",
    "interleaved rounds.",
    "",
    "## Machine and versions",
    "",
    `- CPU ${machine.cpu}, memory ${machine.memory}, ${machine.kernel}`,
    `- load average (1, 5, 15 min) before ${loadBefore.map((l) => l.toFixed(1)).join(", ")}, after ${loadAfter.map((l) => l.toFixed(1)).join(", ")}`,
    `- ours: commit ${machine.commit}${machine.dirty ? " with uncommitted changes in server/" : ""}, node ${machine.node}`,
    `- reference: delta-sharing-server ${reference.version}${reference.why ? ` — ${reference.why}` : ""}; ${machine.java}`,
    `- S3: S3Proxy 4.0.0 (test/ground/s3.ts), path-style, SigV4; load generator: ${machine.wrk}`,
    `- tables: generateManyFiles (checkpoint + JSON tail, data files left out): ${Object.entries(
      tables.seconds,
    )
      .map(([name, s]) => `${name} ${s.generate.toFixed(1)} s`)
      .join(", ")}`,
    "",
    ...(ours.errors.length + (ref?.errors.length ?? 0) > 0
      ? [
          "## Errors",
          "",
          ...[...results].flatMap(([name, r]) => r.errors.map((e) => `- ${name}: ${e.split("\n")[0]}`)),
          "",
        ]
      : []),
    "## Raw results",
    "",
    "```json",
    JSON.stringify(
      {
        plan: { ...plan, warmRuns: plan.sizes.map(plan.warmRuns), log: undefined },
        presign,
        floors,
        results: Object.fromEntries(results),
      },
      null,
      1,
    ),
    "```",
    "",
  ].join("\n");
  await writeReport(out, report);
} finally {
  await s3.stop();
  await rm(workDir, { recursive: true, force: true });
}
