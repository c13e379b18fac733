// The two servers under comparison, started the way a user starts them, as child processes on a
// free loopback port with the same shares, the same bearer token and the same S3 server:
//   ours:      node server/main.ts --config <yaml>   (s3: endpoint + path style, keys from env)
//   reference: java -cp <conf>:<classpath> io.delta.sharing.server.DeltaSharingService --config <yaml>
//              (s3a through Hadoop: endpoint, path style and keys in conf/core-site.xml)
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { repoRoot } from "../test/ground/paths.ts";
import { freePort } from "../test/ground/ports.ts";
import { startProcess } from "../test/ground/process.ts";
import type { S3Ground } from "../test/ground/s3.ts";
import { timedRequest } from "./http.ts";

export type ServerName = "ours" | "reference";

export interface BenchTable {
  name: string;
  /** bucket/prefix in the S3 server. */
  key: string;
}

export interface BenchCatalog {
  shares: { name: string; schemas: { name: string; tables: BenchTable[] }[] }[];
}

export interface BenchServer {
  name: ServerName;
  /** Base URL of the protocol, without the trailing slash. */
  base: string;
  token: string;
  pid: number;
  /** Time from spawn to the first answered list request. */
  startupMs: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRss: () => number;
  stop: () => Promise<void>;
}

export interface LaunchOptions {
  /** Extra runtime flags: node flags for ours (e.g. --cpu-prof), JVM flags for the reference. */
  runtimeArgs?: string[];
  /** Ours only: one recipient per token instead of the one shared token. */
  recipientTokens?: string[];
}

export interface Launcher {
  name: ServerName;
  version: string;
  start: (options?: LaunchOptions) => Promise<BenchServer>;
}

/** Settings both servers get; requests may take minutes on the big tables, so no request timeout. */
const common = { endpoint: "/delta-sharing", requestTimeoutSeconds: 0 };

function peakRssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function catalogWith(catalog: BenchCatalog, scheme: string) {
  return catalog.shares.map((share) => ({
    name: share.name,
    schemas: share.schemas.map((schema) => ({
      name: schema.name,
      tables: schema.tables.map((table) => ({ name: table.name, location: `${scheme}://${table.key}` })),
    })),
  }));
}

async function launch(
  name: ServerName,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  token: string,
  readyTimeoutMs: number,
): Promise<BenchServer> {
  const base = `http://127.0.0.1:${port}${common.endpoint}`;
  const started = process.hrtime.bigint();
  const child = await startProcess({
    name,
    command,
    args,
    env,
    cwd: repoRoot,
    readyTimeoutMs,
    ready: async () => {
      const answer = await timedRequest({ method: "GET", url: `${base}/shares`, token, timeoutMs: 2000 });
      return answer.status === 200;
    },
  });
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  const pid = child.child.pid ?? -1;
  return { name, base, token, pid, startupMs, peakRss: () => peakRssOf(pid), stop: child.stop };
}

export function oursLauncher(s3: S3Ground, catalog: BenchCatalog, dir: string, token: string): Launcher {
  const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version as string;
  return {
    name: "ours",
    version: `${version} (node ${process.version})`,
    start: async (options = {}) => {
      const port = await freePort();
      const config = join(dir, `ours-${port}.yaml`);
      await writeFile(
        config,
        stringify({
          version: 1,
          host: "127.0.0.1",
          port,
          ops: { host: "127.0.0.1", port: 0 },
          ...common,
          logLevel: "warn",
          // the per-recipient rate limit would answer load cases with 429s: off, as the reference has none
          limits: { rateLimit: { requestsPerSecond: 0, burst: 1 } },
          ...(options.recipientTokens
            ? {
                recipients: options.recipientTokens.map((recipientToken, i) => ({
                  name: `recipient-${i + 1}`,
                  tokens: [{ sha256: createHash("sha256").update(recipientToken).digest("hex") }],
                  shares: catalog.shares.map((share) => share.name),
                })),
              }
            : { authorization: { bearerToken: token } }),
          s3: { endpoint: s3.endpoint, forcePathStyle: true, region: s3.region },
          shares: catalogWith(catalog, "s3"),
        }),
      );
      const env = {
        ...process.env,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_REGION: s3.region,
      };
      const args = [...(options.runtimeArgs ?? []), join(repoRoot, "server", "main.ts"), "--config", config];
      const readyToken = options.recipientTokens?.[0] ?? token;
      return launch("ours", process.execPath, args, env, port, readyToken, 30_000);
    },
  };
}

function coreSite(s3: S3Ground): string {
  const properties: Record<string, string> = {
    "fs.s3a.endpoint": s3.endpoint,
    "fs.s3a.endpoint.region": s3.region,
    "fs.s3a.path.style.access": "true",
    "fs.s3a.connection.ssl.enabled": "false",
    "fs.s3a.access.key": s3.accessKeyId,
    "fs.s3a.secret.key": s3.secretAccessKey,
    "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
  };
  const entries = Object.entries(properties)
    .map(([name, value]) => `  <property><name>${name}</name><value>${value}</value></property>`)
    .join("\n");
  return `<?xml version="1.0"?>\n<configuration>\n${entries}\n</configuration>\n`;
}

export async function referenceLauncher(
  s3: S3Ground,
  catalog: BenchCatalog,
  dir: string,
  token: string,
  classpath: string,
  version: string,
): Promise<Launcher> {
  // conf/ first on the classpath, as the server's own start script does: Hadoop finds core-site.xml there
  const conf = join(dir, "reference-conf");
  await mkdir(conf, { recursive: true });
  await writeFile(join(conf, "core-site.xml"), coreSite(s3), { mode: 0o600 });
  return {
    name: "reference",
    version,
    start: async (options = {}) => {
      const port = await freePort();
      const config = join(dir, `reference-${port}.yaml`);
      await writeFile(
        config,
        stringify({
          version: 1,
          host: "127.0.0.1",
          port,
          ...common,
          authorization: { bearerToken: token },
          shares: catalogWith(catalog, "s3a"),
        }),
      );
      const env = {
        ...process.env,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_REGION: s3.region,
        // never let the AWS SDK look for an instance metadata service: loopback only
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const args = [
        ...(options.runtimeArgs ?? []),
        "-cp",
        `${conf}:${classpath}`,
        "io.delta.sharing.server.DeltaSharingService",
        "--config",
        config,
      ];
      return launch("reference", "java", args, env, port, token, 120_000);
    },
  };
}
