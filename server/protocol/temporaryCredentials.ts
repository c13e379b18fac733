// Generate Temporary Table Credential (PROTOCOL.md, directory access): AWS credentials for the
// table's directory, from STS, for recipients that the table, their grants and the table's other
// boundaries allow (auth/directoryAccess.ts); 403 with the reason otherwise.
import type { FastifyInstance } from "fastify";
import { directoryAccessRefusal } from "../auth/directoryAccess.ts";
import { parseS3Location, type S3Location, s3Uri } from "../storage/s3Location.ts";
import { invalidParameter, SharingError } from "./errors.ts";
import { TableParams, TemporaryCredentialsBody } from "./requestSchemas.ts";
import { resolveTable } from "./resolve.ts";

const sameLocation = (a: S3Location, b: S3Location) => a.bucket === b.bucket && a.prefix === b.prefix;

/** The table has no auxiliary locations: a location the client names must be its root. */
function checkRequestedLocation(requested: string | undefined, root: S3Location): void {
  if (requested === undefined) return;
  const named = parseS3Location(requested);
  if (named === undefined || !sameLocation(named, root)) {
    throw invalidParameter(`location ${requested} is not the table's location ${s3Uri(root)}`);
  }
}

export function registerTemporaryCredentialsRoute(app: FastifyInstance): void {
  app.post<{ Params: TableParams; Body: TemporaryCredentialsBody | undefined }>(
    "/shares/:share/schemas/:schema/tables/:table/temporary-table-credentials",
    {
      schema: { params: TableParams, body: TemporaryCredentialsBody },
      // the body is optional (no location: the table's root)
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const table = resolveTable(request.ctx.catalog, request.identity, request.params);
      const refusal = directoryAccessRefusal(table, request.identity);
      const root = parseS3Location(table.location);
      const issue = request.ctx.tableCredentials;
      if (refusal !== undefined) throw new SharingError("forbidden", refusal);
      if (root === undefined || issue === undefined) {
        throw new SharingError("forbidden", "this server is not configured for directory access");
      }
      checkRequestedLocation(request.body?.location, root);
      const credentials = await issue(root, request.identity.recipient);
      request.audit.credentialsExpireAt = credentials.expiresAt;
      reply.header("cache-control", "no-store");
      return {
        credentials: {
          location: s3Uri(root),
          awsTempCredentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken,
          },
          expirationTime: credentials.expiresAt,
        },
      };
    },
  );
}
