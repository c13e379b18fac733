// The ops port: liveness, detailed readiness, metrics and the status document, on a listener of
// its own that the Service recipients reach never exposes. No authentication: only the cluster
// reaches it (the README suggests a NetworkPolicy to narrow that further).
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { ServerContext } from "../context.ts";
import { errorHandler } from "../protocol/errorHandler.ts";
import { NoQuery } from "../protocol/requestSchemas.ts";
import { answerFrameworkError, answerNotFound } from "../protocol/unrouted.ts";
import { validatorCompiler } from "../protocol/validation.ts";
import type { Operations } from "./operations.ts";
import type { LoadedConfig, StatusDocument } from "./statusDocument.ts";
import { statusApiVersion } from "./statusDocument.ts";

export interface OpsAppOptions {
  currentContext: () => ServerContext;
  /** The configuration file as last loaded, for `config` in the status document. */
  loadedConfig: () => LoadedConfig;
  logger: Logger;
  operations: Operations;
}

async function statusDocument(options: OpsAppOptions): Promise<StatusDocument> {
  const { readiness, tableHealth, metrics } = options.operations;
  const report = await readiness.check(options.currentContext());
  metrics.storageReady.set(report.ready ? 1 : 0);
  return {
    apiVersion: statusApiVersion,
    ready: report.ready,
    config: options.loadedConfig(),
    storage: report.storage.map((root) => ({
      root: root.root,
      ok: root.reachable && root.error === undefined,
      error: root.error ?? null,
    })),
    tables: tableHealth.tables(),
    filters: tableHealth.filters(),
    discovered: options.currentContext().discovery.report(),
    issuers: options.operations.issuers.states(),
  };
}

export function buildOpsApp(options: OpsAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    exposeHeadRoutes: false,
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: answerFrameworkError,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(answerNotFound);
  const schema = { querystring: NoQuery };
  app.get("/livez", { schema }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema }, async (_request, reply) => {
    const document = await statusDocument(options);
    return reply.code(document.ready ? 200 : 503).send(document);
  });
  app.get("/status", { schema }, async () => statusDocument(options));
  app.get("/metrics", { schema }, async (_request, reply) => {
    const { registry } = options.operations.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return app;
}
