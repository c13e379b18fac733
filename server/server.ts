// Starting and stopping a sharing server from a configuration file.
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { loadConfigFile } from "./config/load.ts";
import type { ServerConfig } from "./config/schema.ts";
import { createContext, type ServerContext } from "./context.ts";
import { loadSigningKey } from "./crypto/signingKey.ts";
import { createLogger } from "./logger.ts";
import { buildApp } from "./protocol/app.ts";

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  context: () => ServerContext;
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

export async function startServer(configPath: string, logger?: Logger): Promise<RunningServer> {
  const config = await loadConfigFile(configPath);
  const log = logger ?? createLogger(config.logLevel);
  const signingKey = await loadSigningKey(config.signingKeyFile);
  const context = createContext(config, { signingKey, logger: log });
  const https = await httpsOptions(config);
  const app = buildApp({ currentContext: () => context, logger: log, ...(https ? { https } : {}) });
  const url = await app.listen({ host: config.host, port: config.port });
  log.info(
    { url, endpoint: config.endpoint, shares: context.catalog.shares.length },
    "sharing server listening",
  );
  return { app, url, context: () => context, close: () => app.close() };
}
