// `GET|POST <endpoint>/activate/<code>`: hands out a recipient's .share profile once. A browser
// (Accept: text/html) gets a page with one button; its POST spends the code and downloads the
// file. Any other client's GET spends the code and gets the profile JSON. A spent, unknown or
// expired code answers 404 (a plain page for browsers, the protocol's JSON error otherwise); an
// address outside the recipient's allow list 403. Spending goes through the Lease store, so of
// all replicas exactly one hands the profile out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { PendingActivation } from "../auth/activations.ts";
import { offerPage, pageHeaders, type RefusalReason, refusalPage } from "./activationPage.ts";
import { SharingError } from "./errors.ts";
import { ActivateParams, NoQuery } from "./requestSchemas.ts";

const profileFileName = (recipient: string) => `${recipient.replace(/[^A-Za-z0-9._-]/g, "_")}.share`;

type ActivateRequest = FastifyRequest<{ Params: ActivateParams }>;

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === "string" && /\btext\/html\b/i.test(accept);
}

const refusalErrors: Record<RefusalReason, () => SharingError> = {
  spent: () => new SharingError("notFound", "the activation link is not valid or was already used"),
  expired: () => new SharingError("notFound", "the activation link has expired"),
  address: () => new SharingError("forbidden", "the activation link may not be used from this address"),
};

function refuse(request: FastifyRequest, reply: FastifyReply, reason: RefusalReason) {
  const error = refusalErrors[reason]();
  request.audit.errorCode = error.body().errorCode;
  if (!wantsHtml(request)) throw error;
  return reply
    .code(error.status)
    .headers(pageHeaders)
    .send(refusalPage(reason, request.ctx.config.activation?.contact));
}

/** The pending activation the code names, or the reason there is none (already answered). */
function pendingOf(request: ActivateRequest): PendingActivation | RefusalReason {
  const found = request.ctx.findActivation(request.params.code, request.clientAddress);
  if (found.outcome === "unknown") return "spent";
  request.audit.recipient = found.outcome === "pending" ? found.activation.recipient : found.recipient;
  if (found.outcome === "pending") return found.activation;
  return found.outcome;
}

async function spendStore<T>(request: FastifyRequest, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // the API's message may name the Lease, whose name holds the code's hash: keep that out of logs
    const reason = String(error instanceof Error ? error.message : error).replace(/[0-9a-f]{64}/g, "…");
    request.log.error({ reason: reason.slice(0, 500) }, "the activation Lease store failed");
    throw new SharingError(
      "storageUnavailable",
      "activation links cannot be checked right now; retry later",
      {
        "retry-after": "5",
      },
    );
  }
}

/** Spends the code and sends the profile; 404 when another request (on any replica) spent it first. */
async function handOut(
  request: ActivateRequest,
  reply: FastifyReply,
  activation: PendingActivation,
  download: boolean,
) {
  const profile = activation.open();
  // a hash match whose seal does not open is a broken entry, never a profile: treat as unknown
  if (profile === undefined) return refuse(request, reply, "spent");
  const spender = request.ctx.activationSpender;
  const result = await spendStore(request, () =>
    spender.spend(activation.codeSha256, activation.recipient, activation.expiresAt),
  );
  if (result === "alreadySpent") return refuse(request, reply, "spent");
  request.log.info({ recipient: activation.recipient }, "activation link spent");
  reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
  if (download) {
    reply.header("content-disposition", `attachment; filename="${profileFileName(activation.recipient)}"`);
    return reply.code(200).type("application/octet-stream").send(profile);
  }
  return reply.code(200).type("application/json").send(profile);
}

export function registerActivateRoute(app: FastifyInstance): void {
  const schema = { params: ActivateParams, querystring: NoQuery };
  app.get<{ Params: ActivateParams }>("/activate/:code", { schema }, async (request, reply) => {
    const pending = pendingOf(request);
    if (typeof pending === "string") return refuse(request, reply, pending);
    if (!wantsHtml(request)) return handOut(request, reply, pending, false);
    const spender = request.ctx.activationSpender;
    if (await spendStore(request, () => spender.isSpent(pending.codeSha256))) {
      return refuse(request, reply, "spent");
    }
    const profileFile = profileFileName(pending.recipient);
    return reply
      .code(200)
      .headers(pageHeaders)
      .send(offerPage({ recipient: pending.recipient, expiresAt: pending.expiresAt, profileFile }));
  });
  app.post<{ Params: ActivateParams }>("/activate/:code", { schema }, async (request, reply) => {
    const pending = pendingOf(request);
    if (typeof pending === "string") return refuse(request, reply, pending);
    return handOut(request, reply, pending, true);
  });
}
