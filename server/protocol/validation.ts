// Request validation against the declared schemas. Query strings and path parameters arrive as
// text and are coerced to their declared types; JSON bodies already carry types, so a body value of
// the wrong type is refused rather than quietly converted (`"jsonPredicateHints": 17` is an error).
// Query strings keep what they carry, so an undeclared parameter is refused, not quietly dropped.
import { Ajv } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

const coercing = new Ajv({
  coerceTypes: "array",
  useDefaults: true,
  removeAdditional: true,
  allErrors: false,
});
const queryStrings = new Ajv({ coerceTypes: "array", useDefaults: true, allErrors: false });
const exact = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: true, allErrors: false });

const byPart: Record<string, Ajv> = { body: exact, querystring: queryStrings };

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (byPart[httpPart ?? ""] ?? coercing).compile(schema as object);
