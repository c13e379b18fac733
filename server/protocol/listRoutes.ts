// List shares, get share, list schemas, list tables, list all tables.
import type { FastifyInstance } from "fastify";
import type { Identity } from "../auth/identity.ts";
import type { SharedShare, SharedTable } from "../shares/catalog.ts";
import { tableAccess } from "./accessModes.ts";
import { paginate } from "./listPage.ts";
import { ListQuery, NoQuery, SchemaParams, ShareParams } from "./requestSchemas.ts";
import { resolveSchema, resolveShare } from "./resolve.ts";

function shareItem(share: SharedShare) {
  return {
    name: share.name,
    id: share.id,
    ...(share.displayName !== undefined ? { displayName: share.displayName } : {}),
    ...(share.comment !== undefined ? { comment: share.comment } : {}),
    ...(share.properties !== undefined ? { properties: share.properties } : {}),
  };
}

function tableItem(table: SharedTable, identity: Identity) {
  return {
    name: table.name,
    schema: table.schema,
    share: table.share,
    shareId: table.shareId,
    id: table.id,
    ...(table.comment !== undefined ? { comment: table.comment } : {}),
    ...tableAccess(table, identity),
  };
}

export function registerListRoutes(app: FastifyInstance): void {
  app.get<{ Querystring: ListQuery }>("/shares", { schema: { querystring: ListQuery } }, async (request) => {
    const { catalog, listPageTokens } = request.ctx;
    const visible = catalog.shares.filter((share) => request.identity.canSee(share.name));
    return paginate(visible.map(shareItem), "shares", request.query, listPageTokens);
  });

  app.get<{ Params: ShareParams }>(
    "/shares/:share",
    { schema: { params: ShareParams, querystring: NoQuery } },
    async (request) => {
      const share = resolveShare(request.ctx.catalog, request.identity, request.params.share);
      return { share: shareItem(share) };
    },
  );

  app.get<{ Params: ShareParams; Querystring: ListQuery }>(
    "/shares/:share/schemas",
    { schema: { params: ShareParams, querystring: ListQuery } },
    async (request) => {
      const { catalog, listPageTokens } = request.ctx;
      const share = resolveShare(catalog, request.identity, request.params.share);
      const items = share.schemas.map((schema) => ({ name: schema.name, share: share.name }));
      return paginate(items, `schemas\0${share.id}`, request.query, listPageTokens);
    },
  );

  app.get<{ Params: SchemaParams; Querystring: ListQuery }>(
    "/shares/:share/schemas/:schema/tables",
    { schema: { params: SchemaParams, querystring: ListQuery } },
    async (request) => {
      const { catalog, listPageTokens } = request.ctx;
      const { share, schema: schemaName } = request.params;
      const schema = resolveSchema(catalog, request.identity, share, schemaName);
      await request.ctx.discovery.refresh(schema);
      const scope = `tables\0${schema.share.toLowerCase()}\0${schema.name.toLowerCase()}`;
      const items = schema.tables.map((table) => tableItem(table, request.identity));
      return paginate(items, scope, request.query, listPageTokens);
    },
  );

  app.get<{ Params: ShareParams; Querystring: ListQuery }>(
    "/shares/:share/all-tables",
    { schema: { params: ShareParams, querystring: ListQuery } },
    async (request) => {
      const { catalog, listPageTokens } = request.ctx;
      const share = resolveShare(catalog, request.identity, request.params.share);
      await Promise.all(share.schemas.map((schema) => request.ctx.discovery.refresh(schema)));
      const tables = share.schemas.flatMap((schema) =>
        schema.tables.map((table) => tableItem(table, request.identity)),
      );
      return paginate(tables, `all-tables\0${share.id}`, request.query, listPageTokens);
    },
  );
}
