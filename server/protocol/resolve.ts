// From names in a URL to catalogue records, through the caller's identity: a share, schema or table
// that is not granted answers exactly like one that does not exist.
import type { Identity } from "../auth/identity.ts";
import type { Catalog, SharedSchema, SharedShare, SharedTable } from "../shares/catalog.ts";
import { notFound } from "./errors.ts";

export function resolveShare(catalog: Catalog, identity: Identity, name: string): SharedShare {
  const share = catalog.share(name);
  if (!share || !identity.canSee(share.name)) throw notFound(`share '${name}'`);
  return share;
}

export function resolveSchema(
  catalog: Catalog,
  identity: Identity,
  shareName: string,
  name: string,
): SharedSchema {
  const schema = catalog.schema(resolveShare(catalog, identity, shareName), name);
  if (!schema) throw notFound(`schema '${shareName}.${name}'`);
  return schema;
}

export function resolveTable(
  catalog: Catalog,
  identity: Identity,
  params: { share: string; schema: string; table: string },
): SharedTable {
  const table = catalog.table(resolveSchema(catalog, identity, params.share, params.schema), params.table);
  if (!table) throw notFound(`table '${params.share}.${params.schema}.${params.table}'`);
  return table;
}
