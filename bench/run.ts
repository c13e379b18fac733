// `npm run bench`: our server against the reference server (delta-io's Scala server) on the same
// S3 test server, tables and machine, reported as ratios; the table is printed and written to
// bench/RESULTS.md with the machine, the versions and this command.
//
//   node bench/run.ts [--quick] [--no-reference] [--cpu-prof DIR] [--out FILE]
//
// --quick runs small tables and few repetitions (to try the harness); --cpu-prof writes V8 CPU
// profiles of our server's processes into DIR.
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
import { runPresignBenchmark } from "./presign.ts";
import { buildRows, markdownTable, textTable } from "./report.ts";
import { type Launcher, oursLauncher, referenceLauncher } from "./servers.ts";
import { prepareTables } from "./tables.ts";

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-reference": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    out: { type: "string", default: join(repoRoot, "bench", "RESULTS.md") },
  },
  strict: true,
});

const startedAt = new Date();
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
      load: { connections: 8, seconds: 5, threads: 2, files: 1000 },
      log,
    }
  : {
      sizes: [1000, 10_000, 100_000],
      coldRuns: 3,
      warmRuns: (files) => (files >= 100_000 ? 7 : files >= 10_000 ? 10 : 20),
      metadataRuns: 20,
      listRuns: 20,
      wideTables: 1000,
      load: { connections: 16, seconds: 20, threads: 2, files: 1000 },
      million: { files: 1_000_000, timeoutMs: 420_000, heapCapMiB: 768 },
      log,
    };

const workDir = await mkdtemp(join(tmpdir(), "dso-bench-"));
const s3 = await startS3();
try {
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
  const rows = buildRows(plan.sizes, ours, ref, presign, plan.million?.files, plan.load.files);
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
        results: Object.fromEntries(results),
      },
      null,
      1,
    ),
    "```",
    "",
  ].join("\n");
  await writeFile(args.out, report);
  // in the repository's own format, so that `biome check .` passes on it
  if (args.out.startsWith(`${repoRoot}/`)) {
    await run(join(repoRoot, "node_modules", ".bin", "biome"), ["format", "--write", args.out]).catch(
      (error) =>
        log(`biome format ${args.out}: ${error instanceof Error ? error.message.split("\n")[0] : error}`),
    );
  }
  log(`wrote ${args.out}`);
} finally {
  await s3.stop();
  await rm(workDir, { recursive: true, force: true });
}
