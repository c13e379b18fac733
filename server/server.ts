// Starting and stopping a sharing server from a configuration file, and applying changes to that
// file while it runs: a new context is built beside the old one and swapped in at once; requests
// already running finish on the context they started with. Beside the data port, the ops port
// answers liveness, readiness, metrics and the status document.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { ConfigError, parseConfigText } from "./config/load.ts";
import type { ServerConfig } from "./config/schema.ts";
import { createContext, type ServerContext } from "./context.ts";
import { loadSigningKey } from "./crypto/signingKey.ts";
import { SnapshotCache } from "./delta/snapshotCache.ts";
import { createLogger } from "./logger.ts";
import { ConfigWatcher } from "./ops/configWatcher.ts";
import { MemoryBudget, type MemorySettings } from "./ops/memoryBudget.ts";
import { createOperations, type Operations } from "./ops/operations.ts";
import { buildOpsApp } from "./ops/opsApp.ts";
import type { LoadedConfig } from "./ops/statusDocument.ts";
import { buildApp } from "./protocol/app.ts";
import { createS3Client } from "./storage/s3Client.ts";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** The ops port's base URL: /livez, /readyz, /metrics, /status. */
  opsUrl: string;
  context: () => ServerContext;
  operations: Operations;
  /** Re-reads the configuration file now and applies it when it changed. */
  reload: () => Promise<void>;
  close: () => Promise<void>;
}

async function httpsOptions(config: ServerConfig) {
  if (!config.ssl) return undefined;
  const [cert, key] = await Promise.all([
    readFile(config.ssl.certificateFile),
    readFile(config.ssl.certificateKeyFile),
  ]);
  const passphrase = config.ssl.certificatePasswordFile
    ? (await readFile(config.ssl.certificatePasswordFile, "utf8")).trim()
    : undefined;
  return { cert, key, ...(passphrase !== undefined ? { passphrase } : {}) };
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot read configuration file ${path}: ${reason}`);
  }
}

// Settings the listening socket or the HTTP layer fixed at start: a reload cannot change them.
const restartOnly = (config: ServerConfig) => ({
  host: config.host,
  port: config.port,
  endpoint: config.endpoint,
  ssl: config.ssl,
  maxRequestBodyBytes: config.limits?.maxRequestBodyBytes,
  deltaTableCacheSize: config.deltaTableCacheSize,
  ops: { host: config.ops?.host, port: config.ops?.port },
});

function loadedConfigOf(text: string, config: ServerConfig): LoadedConfig {
  return {
    sha256: createHash("sha256").update(text, "utf8").digest("hex"),
    loadedAt: new Date().toISOString(),
    shares: config.shares.length,
    recipients: config.recipients?.length ?? 0,
  };
}

function changedRestartOnly(before: ServerConfig, after: ServerConfig): string[] {
  const [a, b] = [restartOnly(before), restartOnly(after)];
  return (Object.keys(a) as (keyof typeof a)[]).filter(
    (key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]),
  );
}

function memorySettings(config: ServerConfig): MemorySettings {
  return { limitBytes: config.limits?.memoryLimitBytes, budgetBytes: config.limits?.memoryBudgetBytes };
}

export async function startServer(configPath: string, logger?: Logger): Promise<RunningServer> {
  const initialText = await readConfigText(configPath);
  const config = parseConfigText(initialText, configPath);
  const log = logger ?? createLogger(config.logLevel);
  const operations = createOperations();
  const { metrics } = operations;
  const initialKey = await loadSigningKey(config.signingKeyFile, configPath);
  const budget = new MemoryBudget(memorySettings(config));
  budget.onRefused = (table, error) => {
    metrics.memoryRefusals.inc({ table });
    log.warn({ table, neededBytes: error.neededBytes, availableBytes: error.availableBytes }, error.message);
  };
  metrics.memoryBudget.set(budget.budgetBytes);
  metrics.memoryReservedSource = () => budget.reservedBytes;
  const snapshots = new SnapshotCache(
    config.deltaTableCacheSize,
    {
      hit: () => metrics.snapshotCache.inc({ result: "hit" }),
      miss: () => metrics.snapshotCache.inc({ result: "miss" }),
    },
    budget,
  );
  const s3Clients = new Map<string, S3Client>();
  const s3Client = (s3: ServerConfig["s3"]) => {
    const key = JSON.stringify(s3 ?? {});
    let client = s3Clients.get(key);
    if (!client) {
      client = createS3Client(s3);
      s3Clients.set(key, client);
    }
    return client;
  };
  const { issuers } = operations;
  issuers.follow(config);
  let current = createContext(config, { signingKey: initialKey, logger: log, snapshots, s3Client, issuers });
  let loaded = loadedConfigOf(initialText, config);
  operations.tableHealth.follow(current);
  metrics.configLastReloadSuccess.set(1);

  const apply = async (text: string) => {
    try {
      const next = parseConfigText(text, configPath);
      const signingKey = next.signingKeyFile
        ? await loadSigningKey(next.signingKeyFile, configPath)
        : initialKey;
      const context = createContext(next, { signingKey, logger: log, snapshots, s3Client, issuers });
      const fixed = changedRestartOnly(current.config, next);
      if (fixed.length > 0) {
        log.warn({ settings: fixed }, "configuration changes that take effect only after a restart");
      }
      if (logger === undefined) log.level = next.logLevel;
      current = context;
      issuers.follow(next);
      loaded = loadedConfigOf(text, next);
      operations.tableHealth.follow(context);
      budget.configure(memorySettings(next));
      metrics.memoryBudget.set(budget.budgetBytes);
      metrics.configReloads.inc({ result: "applied" });
      metrics.configLastReloadSuccess.set(1);
      log.info(
        { shares: context.catalog.shares.length, recipients: next.recipients?.length ?? 0 },
        "configuration reloaded",
      );
    } catch (error) {
      metrics.configReloads.inc({ result: "refused" });
      metrics.configLastReloadSuccess.set(0);
      const reason = error instanceof Error ? error.message : String(error);
      log.error({ reason }, "configuration change refused; the previous configuration keeps serving");
    }
  };

  const https = await httpsOptions(config);
  const app = buildApp({
    currentContext: () => current,
    logger: log,
    operations,
    ...(https ? { https } : {}),
  });
  const opsApp = buildOpsApp({
    currentContext: () => current,
    loadedConfig: () => loaded,
    logger: log,
    operations,
  });
  const opsHost = config.ops?.host ?? "0.0.0.0";
  const opsPort = config.ops?.port ?? 9090;
  let url: string;
  let opsUrl: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
    opsUrl = await opsApp.listen({ host: opsHost, port: opsPort });
  } catch (error) {
    operations.tableHealth.close();
    await Promise.all([app.close(), opsApp.close()]);
    throw error;
  }
  const watcher = new ConfigWatcher({
    path: configPath,
    initialText,
    intervalSeconds: () => current.config.configReloadIntervalSeconds,
    onChange: apply,
    logger: log,
  });
  log.info(
    { url, opsUrl, endpoint: config.endpoint, shares: current.catalog.shares.length },
    "sharing server listening",
  );
  return {
    app,
    url,
    opsUrl,
    context: () => current,
    operations,
    reload: () => watcher.check(),
    close: async () => {
      watcher.close();
      operations.tableHealth.close();
      await Promise.all([app.close(), opsApp.close()]);
      operations.audit.close();
      for (const client of s3Clients.values()) client.destroy();
    },
  };
}
