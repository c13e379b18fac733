// Rules the schema alone cannot state: names unique (case-insensitively, as the protocol matches
// them), table ids unique, and locations of a kind we can read.
import type { ServerConfig } from "./schema.ts";

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

function duplicates<T>(items: T[], key: (item: T) => string): number[] {
  const seen = new Set<string>();
  const repeated: number[] = [];
  items.forEach((item, index) => {
    const value = key(item);
    if (seen.has(value)) repeated.push(index);
    seen.add(value);
  });
  return repeated;
}

const supportedLocation = /^(s3a?:\/\/[^/]+|file:\/\/\/|\/)/;

export function checkConfigSemantics(config: ServerConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const lower = (item: { name: string }) => item.name.toLowerCase();
  for (const index of duplicates(config.shares, lower)) {
    problems.push({ path: ["shares", index, "name"], message: "repeats another share's name" });
  }
  config.shares.forEach((share, shareIndex) => {
    for (const index of duplicates(share.schemas, lower)) {
      problems.push({
        path: ["shares", shareIndex, "schemas", index, "name"],
        message: "repeats a schema name",
      });
    }
    share.schemas.forEach((schema, schemaIndex) => {
      const base = ["shares", shareIndex, "schemas", schemaIndex, "tables"];
      for (const index of duplicates(schema.tables, lower)) {
        problems.push({ path: [...base, index, "name"], message: "repeats a table name" });
      }
      schema.tables.forEach((table, tableIndex) => {
        if (!supportedLocation.test(table.location) || table.location.includes("\0")) {
          problems.push({
            path: [...base, tableIndex, "location"],
            message: `is not a supported location (s3://, s3a://, file:/// or an absolute path): ${table.location}`,
          });
        }
      });
    });
  });
  return problems;
}
