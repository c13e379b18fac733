// One place where failures become the protocol's JSON errors. Known failures keep their message;
// anything unexpected is logged with its stack and answered with a bare INTERNAL_ERROR.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DeletionVectorPathError } from "../delta/deletionVectors.ts";
import { CorruptLogError } from "../delta/parseActions.ts";
import { TableNotFoundError, VersionNotFoundError } from "../delta/snapshotLoader.ts";
import { PathRefusedError } from "../storage/loggedPath.ts";
import { StorageAccessError, StorageUnavailableError } from "../storage/storage.ts";
import { CredentialsRefusedError } from "../storage/tableCredentials.ts";
import { isSharingError, SharingError } from "./errors.ts";

const fastifyErrors: Record<string, (error: FastifyError) => SharingError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new SharingError("payloadTooLarge", "the request body is too large"),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new SharingError("unsupportedMediaType", "the request body must be JSON"),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new SharingError("malformedRequest", "the content length is wrong"),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new SharingError("malformedRequest", "the request body is empty"),
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new SharingError("malformedRequest", "the request body is not valid JSON"),
  FST_ERR_BAD_URL: () => new SharingError("malformedRequest", "the URL is malformed"),
};

export function toSharingError(error: unknown): SharingError | undefined {
  if (isSharingError(error)) return error;
  if (error instanceof StorageUnavailableError) {
    return error.throttled
      ? new SharingError("tooManyRequests", "the table's storage is throttling; retry later", {
          "retry-after": "1",
        })
      : new SharingError("storageUnavailable", "the table's storage is unavailable; retry later", {
          "retry-after": "1",
        });
  }
  if (error instanceof TableNotFoundError) {
    return new SharingError("notFound", "the table's data was not found at its location");
  }
  if (error instanceof VersionNotFoundError) return new SharingError("invalidParameter", error.message);
  if (error instanceof CorruptLogError) {
    return new SharingError("unreadableTable", `the table's Delta log cannot be read: ${error.message}`);
  }
  if (error instanceof PathRefusedError || error instanceof DeletionVectorPathError) {
    return new SharingError(
      "unreadableTable",
      `the table's log names a file it may not share: ${error.message}`,
    );
  }
  const fastify = error as FastifyError;
  if (fastify.validation) {
    const context = fastify.validationContext ?? "request";
    const first = fastify.validation[0];
    if (first?.keyword === "additionalProperties" && context === "querystring") {
      const name = String((first.params as { additionalProperty?: unknown }).additionalProperty);
      return new SharingError("invalidParameter", `unknown query parameter '${name.slice(0, 64)}'`);
    }
    return new SharingError(
      "invalidParameter",
      `${context} ${fastify.message.replace(/^(body|querystring|params)\/?/, "")}`,
    );
  }
  if (fastify.code && fastifyErrors[fastify.code]) return fastifyErrors[fastify.code]?.(fastify);
  if (error instanceof SyntaxError && fastify.statusCode === 400) {
    return new SharingError("malformedRequest", "the request body is not valid JSON");
  }
  if (typeof fastify.statusCode === "number" && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new SharingError("malformedRequest", "the request is malformed");
  }
  return undefined;
}

function internalMessage(error: unknown): string {
  if (error instanceof StorageAccessError) return "the table's storage refused access";
  if (error instanceof CredentialsRefusedError)
    return "temporary credentials could not be obtained for the table";
  return "";
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const known = toSharingError(error);
  if (known) {
    if (known.status >= 500) request.log.warn({ err: error }, known.message);
    // a table refused for what it holds (a corrupt log, a file it may not share, a reader feature
    // or version): the operator must learn which table, and which file
    if (known.kind === "unreadableTable" || known.kind === "unsupportedOperation") {
      request.log.warn({ table: request.params }, known.message);
    }
    reply.code(known.status).headers(known.headers).type("application/json").send(known.body());
    return;
  }
  request.log.error({ err: error }, "request failed");
  const internal = new SharingError("internal", internalMessage(error));
  reply.code(internal.status).type("application/json").send(internal.body());
}
