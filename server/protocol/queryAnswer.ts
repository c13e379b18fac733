// POST .../query answered: a streaming query from a version, or a snapshot query with its hints.
// The same answer serves a synchronous query and every poll of an asynchronous one, which pins
// the version and format its submission chose.
import type { FastifyReply, FastifyRequest } from "fastify";
import { compileHints } from "../selection/hints.ts";
import type { SharedTable } from "../shares/catalog.ts";
import { answerStreamingQuery } from "./changeAnswers.ts";
import type { QueryBody } from "./requestSchemas.ts";
import { answerSnapshotQuery, type PinnedQuery, snapshotForQuery } from "./tableAnswers.ts";

export async function answerQuery(
  request: FastifyRequest,
  reply: FastifyReply,
  table: SharedTable,
  body: QueryBody,
  pinned?: PinnedQuery,
): Promise<FastifyReply> {
  if (body.startingVersion !== undefined) {
    return answerStreamingQuery(
      request,
      reply,
      table,
      { ...body, startingVersion: body.startingVersion },
      pinned,
    );
  }
  const chosen = await snapshotForQuery(request, table, body, pinned);
  const hints = compileHints(body, chosen.snapshot, request.ctx.config);
  request.audit.hintProblems = hints.problems;
  for (const problem of hints.problems) {
    request.log.info({ table: table.id, problem }, "predicate hint not used");
  }
  return answerSnapshotQuery(request, reply, table, body, chosen, hints.mightMatch);
}
