// The operational side of every request: the client's address, a deadline for the answer to begin,
// and when the response is over, metrics and (for data requests) one audit event. Also the
// recipient's rate limit, applied right after authentication, the limit on failed authentications
// per client address, and the data port's plain health answers (the details are on the ops port).
import { performance } from "node:perf_hooks";
import { Value } from "@sinclair/typebox/value";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { addressRanges } from "../auth/addressRanges.ts";
import { AuthError } from "../auth/bearerToken.ts";
import { clientAddress } from "../auth/clientAddress.ts";
import type { Identity } from "../auth/identity.ts";
import {
  AuditConfig,
  AuthFailureLimitConfig,
  type RateLimitConfig,
  type ServerConfig,
} from "../config/schema.ts";
import { SharingError } from "../protocol/errors.ts";
import { NoQuery } from "../protocol/requestSchemas.ts";
import { type AuditEvent, type AuditNotes, predicatesOf } from "./audit.ts";
import type { Operations } from "./operations.ts";
import { defaultRateLimit } from "./rateLimit.ts";
import { requestKind } from "./requestKinds.ts";

declare module "fastify" {
  interface FastifyRequest {
    clientAddress: string;
    audit: AuditNotes;
    /** Refused before authentication by the failure limit: counted, never audited. */
    unaudited: boolean;
  }
}

const healthRoutes = new Set(["/healthz", "/readyz"]);
const defaultAudit = Value.Default(AuditConfig, {}) as AuditConfig;
const defaultAuthFailureLimit = Value.Default(AuthFailureLimitConfig, {}) as AuthFailureLimitConfig;
const trustedProxiesOf = new WeakMap<ServerConfig, ReturnType<typeof addressRanges> | undefined>();

function trustedProxies(config: ServerConfig) {
  if (!trustedProxiesOf.has(config)) {
    const ranges = config.trustedProxies?.length ? addressRanges(config.trustedProxies) : undefined;
    trustedProxiesOf.set(config, ranges);
  }
  return trustedProxiesOf.get(config);
}

function sendError(reply: FastifyReply, error: SharingError): void {
  reply.code(error.status).headers(error.headers).type("application/json").send(error.body());
}

/**
 * Answers when no response has begun by the configured deadline: 408 while the request's body is
 * still arriving (the client is slow), 503 when the server is; a stream already flowing is left alone.
 */
function startDeadline(request: FastifyRequest, reply: FastifyReply): void {
  const seconds = request.ctx.config.requestTimeoutSeconds;
  // the health answers bound their own work (the readiness probe has its own timeout)
  if (seconds <= 0 || healthRoutes.has(request.routeOptions.url ?? "")) return;
  const timer = setTimeout(() => {
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    request.log.warn({ route: request.routeOptions.url, seconds }, "request timed out");
    if (!request.raw.complete) {
      const slow = `the request body did not arrive within ${seconds} s`;
      sendError(reply, new SharingError("requestTimeout", slow, { connection: "close" }));
      return;
    }
    sendError(
      reply,
      new SharingError("timeout", `the answer did not begin within ${seconds} s; retry later`, {
        "retry-after": "1",
      }),
    );
  }, seconds * 1000);
  timer.unref();
  reply.raw.once("close", () => clearTimeout(timer));
}

function numberHeader(reply: FastifyReply, name: string): number | null {
  const value = reply.getHeader(name);
  const number = Number(Array.isArray(value) ? value[0] : value);
  return value === undefined || !Number.isFinite(number) ? null : number;
}

function finish(ops: Operations, request: FastifyRequest, reply: FastifyReply, startedAt: number): void {
  const seconds = (performance.now() - startedAt) / 1000;
  const route = request.routeOptions.url ?? "unmatched";
  const recipient = request.identity?.recipient ?? "-";
  // a client that went away before any answer began gets nginx's 499 in metrics and audit
  const status = reply.raw.headersSent ? reply.statusCode : 499;
  const { metrics } = ops;
  metrics.requests.inc({ route, method: request.method, status: String(status), recipient });
  metrics.requestDuration.observe({ route, method: request.method }, seconds);
  const selection = request.selection;
  if (selection && selection.returned > 0) metrics.filesSigned.inc({ recipient }, selection.returned);
  for (const problem of request.audit?.hintProblems ?? []) metrics.unusableHints.inc({ hint: problem.hint });

  const kind = requestKind(request.method, request.routeOptions.url);
  if (kind === undefined || request.unaudited) return;
  const params = (request.params ?? {}) as { share?: string; schema?: string; table?: string };
  const body = request.body as { limitHint?: unknown } | undefined;
  const userAgent = request.headers["user-agent"];
  const event: AuditEvent = {
    requestId: request.id,
    recipient: request.identity?.recipient ?? request.audit?.recipient ?? null,
    kind,
    method: request.method,
    share: params.share ?? null,
    schema: params.schema ?? null,
    table: params.table ?? null,
    tableVersion: numberHeader(reply, "delta-table-version"),
    filesReturned: selection ? selection.returned : null,
    credentialsExpireAt:
      request.audit?.credentialsExpireAt === undefined
        ? null
        : new Date(request.audit.credentialsExpireAt).toISOString(),
    limitHint: typeof body?.limitHint === "number" ? body.limitHint : null,
    predicates: predicatesOf(body, request.audit ?? {}, selection?.pruned),
    status,
    errorCode: request.audit?.errorCode ?? null,
    partitionFilter: request.audit?.partitionFilter ?? null,
    aborted: !reply.raw.writableFinished,
    durationMs: Math.round(seconds * 1000 * 10) / 10,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, 256) : null,
    clientAddress: request.clientAddress,
  };
  try {
    ops.audit.sink(request.ctx.config.audit ?? defaultAudit).write(event);
  } catch (error) {
    request.log.error({ err: error }, "could not write an audit event");
  }
}

export function registerOperations(app: FastifyInstance, ops: Operations): void {
  app.decorateRequest("clientAddress", "");
  app.decorateRequest("audit", undefined as unknown as AuditNotes);
  app.decorateRequest("unaudited", false);
  app.addHook("onRequest", async (request, reply) => {
    const startedAt = performance.now();
    request.audit = {};
    request.clientAddress = clientAddress(
      request.raw.socket.remoteAddress,
      request.headers["x-forwarded-for"],
      trustedProxies(request.ctx.config),
    );
    startDeadline(request, reply);
    const answered = ops.tableHealth.answering();
    reply.raw.once("close", () => {
      answered();
      finish(ops, request, reply, startedAt);
    });
  });
  // the protocol's errorCode, for the audit event, from the error body about to leave
  app.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === "string" && payload.length < 65_536) {
      try {
        const code = (JSON.parse(payload) as { errorCode?: unknown }).errorCode;
        if (typeof code === "string" && request.audit) request.audit.errorCode = code;
      } catch {
        // not a JSON error body
      }
    }
    return payload;
  });

  const schema = { querystring: NoQuery };
  app.get("/healthz", { schema }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema }, async (request, reply) => {
    const report = await ops.readiness.check(request.ctx);
    ops.metrics.storageReady.set(report.ready ? 1 : 0);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? "ok" : "unavailable" });
  });
}

function authFailureLimit(config: ServerConfig): RateLimitConfig {
  const limit = config.limits?.authFailureLimit ?? defaultAuthFailureLimit;
  return { requestsPerSecond: limit.failuresPerSecond, burst: limit.burst };
}

/** Sets the request's recipient, then applies its rate limit (429 with Retry-After past it). */
export async function authenticateRequest(ops: Operations, request: FastifyRequest): Promise<void> {
  const { ctx } = request;
  const failures = authFailureLimit(ctx.config);
  const standing = ops.authFailureLimiter.peek(request.clientAddress, failures);
  if (!standing.allowed) {
    request.unaudited = true;
    ops.metrics.authFailuresLimited.inc();
    throw new SharingError(
      "tooManyRequests",
      "too many failed authentications from this address; retry later",
      {
        "retry-after": String(standing.retryAfterSeconds),
      },
    );
  }
  let identity: Identity;
  try {
    identity = await ctx.authenticate({
      authorization: request.headers.authorization,
      clientAddress: request.clientAddress,
    });
  } catch (error) {
    // an issuer that cannot be reached is no failure of the client's
    if (!(error instanceof AuthError)) throw error;
    if (error.recipient !== undefined) request.audit.recipient = error.recipient;
    ops.metrics.authFailures.inc({ reason: error.reason });
    ops.authFailureLimiter.take(request.clientAddress, failures);
    throw error;
  }
  request.identity = identity;
  const decision = ops.rateLimiter.take(identity.recipient, ctx.config.limits?.rateLimit ?? defaultRateLimit);
  if (!decision.allowed) {
    ops.metrics.rateLimited.inc({ recipient: identity.recipient });
    throw new SharingError("tooManyRequests", "too many requests from this recipient; retry later", {
      "retry-after": String(decision.retryAfterSeconds),
    });
  }
}
