// A DeltaShare as the server's configuration states a share. What the CRD schema cannot refuse
// (S3 bucket naming, names repeated with different case) is reported as problems, and the tables
// concerned are left out, so one bad table never stops the rest of a share or server.
import type { SchemaConfig, ShareConfig, TableConfig } from "../../server/config/schema.ts";
import { partitionFilterSyntaxProblem } from "../../server/selection/partitionFilter.ts";
import { directoryAccessLocationProblem } from "../../server/storage/sessionPolicy.ts";
import type { SharedSchemaSpec } from "../api/deltaShare.ts";
import type { DeltaShare } from "../api/kinds.ts";

export interface ShareProblem {
  reason: "InvalidLocation" | "DuplicateName" | "InvalidPartitionFilter";
  message: string;
}

export interface RenderedShare {
  name: string;
  config: ShareConfig;
  tables: number;
  problems: ShareProblem[];
}

export function shareNameOf(share: DeltaShare): string {
  return share.spec.shareName ?? share.metadata.name;
}

const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ipLike = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why a table location cannot be served, or undefined when it can. */
export function locationProblem(location: string): string | undefined {
  const match = /^s3a?:\/\/([^/]*)(\/.*)?$/.exec(location);
  if (!match) return "is not an s3:// or s3a:// URI";
  const bucket = match[1] ?? "";
  if (!bucketPattern.test(bucket) || bucket.includes("..") || ipLike.test(bucket)) {
    return `names '${bucket}', which is not a valid S3 bucket name`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(location)) return "contains control characters";
  const segments = (match[2] ?? "").split("/");
  if (segments.some((segment) => segment === "." || segment === "..")) return "contains '.' or '..' segments";
  return undefined;
}

function firstByName<T extends { name: string }>(items: T[], onRepeat: (item: T, first: T) => void): T[] {
  const seen = new Map<string, T>();
  const kept: T[] = [];
  for (const item of items) {
    const first = seen.get(item.name.toLowerCase());
    if (first !== undefined) {
      onRepeat(item, first);
      continue;
    }
    seen.set(item.name.toLowerCase(), item);
    kept.push(item);
  }
  return kept;
}

export function renderShareConfig(share: DeltaShare): RenderedShare {
  const problems: ShareProblem[] = [];
  const repeated = (what: string) => (item: { name: string }, first: { name: string }) =>
    problems.push({
      reason: "DuplicateName",
      message: `${what} '${item.name}' repeats '${first.name}' (names are matched ignoring case); it is not served`,
    });
  let tables = 0;
  const schemas: SchemaConfig[] = firstByName(share.spec.schemas, repeated("schema")).map((schema) => ({
    name: schema.name,
    ...wholeSchema(schema, problems),
    tables: firstByName(schema.tables ?? [], repeated(`schema ${schema.name}: table`)).flatMap(
      (table): TableConfig[] => {
        const badRoot = [table.location, ...(table.extraRoots ?? [])].find(
          (location) => locationProblem(location) !== undefined,
        );
        if (badRoot !== undefined) {
          problems.push({
            reason: "InvalidLocation",
            message: `table ${schema.name}.${table.name}: location ${badRoot} ${locationProblem(badRoot)}; it is not served`,
          });
          return [];
        }
        const filterProblem =
          table.partitionFilter === undefined
            ? undefined
            : partitionFilterSyntaxProblem(table.partitionFilter);
        if (filterProblem !== undefined) {
          problems.push({
            reason: "InvalidPartitionFilter",
            message: `table ${schema.name}.${table.name}: partitionFilter ${filterProblem}; it is not served`,
          });
          return [];
        }
        tables += 1;
        // the longest partition's ARNs, so the policy fits whichever role the server assumes
        const directoryProblem = table.directoryAccess
          ? directoryAccessLocationProblem(table.location, "aws-us-gov")
          : undefined;
        if (directoryProblem !== undefined) {
          problems.push({
            reason: "InvalidLocation",
            message: `table ${schema.name}.${table.name}: directory access ${directoryProblem}; it is served without it`,
          });
        }
        return [
          {
            name: table.name,
            location: table.location,
            ...(table.extraRoots !== undefined ? { extraRoots: table.extraRoots } : {}),
            historyShared: table.history ?? false,
            ...(table.startVersion !== undefined ? { startVersion: table.startVersion } : {}),
            ...(table.partitionFilter !== undefined ? { partitionFilter: table.partitionFilter } : {}),
            ...(table.directoryAccess === true && directoryProblem === undefined
              ? { directoryAccess: true }
              : {}),
            ...(table.comment !== undefined ? { comment: table.comment } : {}),
          },
        ];
      },
    ),
  }));
  const name = shareNameOf(share);
  const config: ShareConfig = {
    name,
    ...(share.spec.displayName !== undefined ? { displayName: share.spec.displayName } : {}),
    ...(share.spec.comment !== undefined ? { comment: share.spec.comment } : {}),
    ...(share.spec.properties !== undefined ? { properties: share.spec.properties } : {}),
    schemas,
  };
  return { name, config, tables, problems };
}

/** A whole-schema share's location and options, left out (and reported) when they cannot serve. */
function wholeSchema(schema: SharedSchemaSpec, problems: ShareProblem[]): Partial<SchemaConfig> {
  if (schema.location === undefined) return {};
  const where = locationProblem(schema.location);
  const filter = schema.partitionFilter && partitionFilterSyntaxProblem(schema.partitionFilter);
  if (where !== undefined || filter) {
    problems.push({
      reason: where !== undefined ? "InvalidLocation" : "InvalidPartitionFilter",
      message: `schema ${schema.name}: ${where !== undefined ? `location ${schema.location} ${where}` : `partitionFilter ${filter}`}; its tables are not looked for`,
    });
    return {};
  }
  return {
    location: schema.location,
    historyShared: schema.history ?? false,
    ...(schema.partitionFilter !== undefined ? { partitionFilter: schema.partitionFilter } : {}),
  };
}
