// The HTTP face of the server: fastify with the protocol's routes under the configured prefix,
// authentication before any route touches a share, and one error handler for all.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { Identity } from "../auth/identity.ts";
import type { ServerContext } from "../context.ts";
import { authenticateRequest, registerOperations } from "../ops/hooks.ts";
import type { Operations } from "../ops/operations.ts";
import type { SelectionReport } from "../selection/fileSelection.ts";
import { registerActivateRoute } from "./activateRoute.ts";
import { errorHandler } from "./errorHandler.ts";
import { SharingError } from "./errors.ts";
import { registerFileRoute } from "./fileRoute.ts";
import { registerListRoutes } from "./listRoutes.ts";
import { registerTableRoutes } from "./tableRoutes.ts";
import { registerTemporaryCredentialsRoute } from "./temporaryCredentials.ts";
import { answerFrameworkError, answerNotFound } from "./unrouted.ts";
import { validatorCompiler } from "./validation.ts";

declare module "fastify" {
  interface FastifyRequest {
    ctx: ServerContext;
    identity: Identity;
    selection?: SelectionReport;
  }
}

export interface AppOptions {
  /** The context for a new request: swapped by configuration reloads, fixed per request. */
  currentContext: () => ServerContext;
  logger: Logger;
  /** Metrics, audit, rate limits and readiness: kept across configuration reloads. */
  operations: Operations;
  https?: { key: Buffer; cert: Buffer; passphrase?: string };
}

function parseJsonBody(
  _request: unknown,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) {
  if (body.trim() === "") {
    done(null, {});
    return;
  }
  try {
    done(null, JSON.parse(body));
  } catch {
    done(new SharingError("malformedRequest", "the request body is not valid JSON"));
  }
}

export function buildApp(options: AppOptions): FastifyInstance {
  const initial = options.currentContext();
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: initial.config.limits?.maxRequestBodyBytes ?? 1024 * 1024,
    requestTimeout: initial.config.requestTimeoutSeconds * 1000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 8192 },
    exposeHeadRoutes: false,
    // the built-in request lines would log URLs, and file URLs carry signatures: audit events instead
    logController: new LogController({ disableRequestLogging: true }),
    // errors fastify meets before routing (a URL it cannot decode) answer in the protocol's form too
    frameworkErrors: answerFrameworkError,
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  app.decorateRequest("ctx", undefined as unknown as ServerContext);
  app.decorateRequest("identity", undefined as unknown as Identity);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, parseJsonBody);
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(answerNotFound);
  app.addHook("onRequest", async (request) => {
    request.ctx = options.currentContext();
  });
  registerOperations(app, options.operations);
  const prefix = initial.config.endpoint.replace(/\/+$/, "");
  app.register(
    async (api) => {
      registerFileRoute(api);
      registerActivateRoute(api);
      api.register(async (authenticated) => {
        authenticated.addHook("onRequest", async (request) => {
          await authenticateRequest(options.operations, request);
        });
        registerListRoutes(authenticated);
        registerTableRoutes(authenticated);
        registerTemporaryCredentialsRoute(authenticated);
      });
    },
    { prefix },
  );
  return app;
}
