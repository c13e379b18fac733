// Answers for requests no route handles: an unknown path, or one fastify refuses before routing
// (a URL it cannot decode). Both in the protocol's JSON form, on the data port and the ops port.
import type { FastifyReply, FastifyRequest } from "fastify";
import { toSharingError } from "./errorHandler.ts";
import { SharingError } from "./errors.ts";

export function answerNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const error = new SharingError(
    "notFound",
    `no such endpoint: ${request.method} ${request.url.split("?")[0]}`,
  );
  reply.code(error.status).type("application/json").send(error.body());
}

export function answerFrameworkError(error: unknown, _request: unknown, reply: unknown): void {
  const known = toSharingError(error) ?? new SharingError("malformedRequest", "the request is malformed");
  (reply as FastifyReply)
    .code(known.status)
    .headers(known.headers)
    .type("application/json")
    .send(known.body());
}
