// Rules the schema alone cannot state: names unique (case-insensitively, as the protocol matches
// them), table ids unique, locations of a kind we can read, and one clear way to authenticate.
import { parseCidr } from "../auth/addressRanges.ts";
import { partitionFilterSyntaxProblem } from "../selection/partitionFilter.ts";
import { directoryAccessLocationProblem, partitionOf } from "../storage/sessionPolicy.ts";
import type { RecipientConfig, ServerConfig, TableConfig } from "./schema.ts";

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
      const schemaPath = ["shares", shareIndex, "schemas", schemaIndex];
      if (schema.location !== undefined && !supportedLocation.test(schema.location)) {
        problems.push({
          path: [...schemaPath, "location"],
          message: `is not a supported location (s3://, s3a://, file:/// or an absolute path): ${schema.location}`,
        });
      }
      const schemaFilter =
        schema.partitionFilter === undefined
          ? undefined
          : partitionFilterSyntaxProblem(schema.partitionFilter);
      if (schemaFilter) problems.push({ path: [...schemaPath, "partitionFilter"], message: schemaFilter });
      schema.tables.forEach((table, tableIndex) => {
        if (!supportedLocation.test(table.location) || table.location.includes("\0")) {
          problems.push({
            path: [...base, tableIndex, "location"],
            message: `is not a supported location (s3://, s3a://, file:/// or an absolute path): ${table.location}`,
          });
        }
        const syntax =
          table.partitionFilter === undefined
            ? undefined
            : partitionFilterSyntaxProblem(table.partitionFilter);
        if (syntax) problems.push({ path: [...base, tableIndex, "partitionFilter"], message: syntax });
        const refused = directoryAccessProblem(config, table);
        if (refused !== undefined) {
          problems.push({ path: [...base, tableIndex, "directoryAccess"], message: refused });
        }
      });
    });
  });
  problems.push(...authenticationProblems(config));
  problems.push(...fileUrlProblems(config));
  if (config.audit?.destination === "file" && config.audit.file === undefined) {
    problems.push({ path: ["audit", "file"], message: "is required when the audit destination is file" });
  }
  if (config.audit?.file !== undefined && config.audit.destination !== "file") {
    problems.push({ path: ["audit", "file"], message: "is only used with destination: file" });
  }
  (config.trustedProxies ?? []).forEach((range, index) => {
    if (!parseCidr(range))
      problems.push({ path: ["trustedProxies", index], message: `is not a CIDR: ${range}` });
  });
  return problems;
}

const wildcardHosts = new Set(["0.0.0.0", "::", "[::]", "::0"]);
const isLocal = (location: string) => location.startsWith("/") || location.startsWith("file:");

// The server hands out URLs of local tables' files on its own address (never one taken from a
// request's Host header): bound to every interface, it has no address to name, so publicUrl must.
function fileUrlProblems(config: ServerConfig): ConfigProblem[] {
  if (config.publicUrl !== undefined || !wildcardHosts.has(config.host)) return [];
  const local = config.shares.some((share) =>
    share.schemas.some((schema) => schema.tables.some((table) => isLocal(table.location))),
  );
  if (!local) return [];
  return [
    {
      path: ["publicUrl"],
      message: `is required when tables on local disk are served and host is ${config.host}: set it to the URL recipients reach this server at`,
    },
  ];
}

// Directory access needs a reader role to assume and a table under a prefix of a bucket, whose
// session policy fits in what STS accepts.
function directoryAccessProblem(config: ServerConfig, table: TableConfig): string | undefined {
  if (table.directoryAccess !== true) return undefined;
  if (config.directoryAccess === undefined) return "needs the server's directoryAccess (readerRoleArn)";
  return directoryAccessLocationProblem(table.location, partitionOf(config.directoryAccess.readerRoleArn));
}

// Refusing a file that names no way in at all: an empty or forgotten section must not silently
// serve every share to anyone. Anonymous access is an explicit opt-in.
function authenticationProblems(config: ServerConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ways = [config.authorization, config.recipients].filter((way) => way !== undefined).length;
  if (config.allowAnonymous === true && ways > 0) {
    problems.push({
      path: ["allowAnonymous"],
      message: "cannot be combined with authorization or recipients",
    });
  }
  if (ways === 0 && config.allowAnonymous !== true) {
    problems.push({
      path: [],
      message:
        "names no way to authenticate: set recipients (or authorization.bearerToken, or allowAnonymous: true)",
    });
  }
  if (config.authorization !== undefined && config.recipients !== undefined) {
    problems.push({
      path: ["authorization"],
      message: "cannot be combined with recipients: give the shared token its own recipient entry",
    });
  }
  const recipients = config.recipients ?? [];
  for (const index of duplicates(recipients, (recipient) => recipient.name.toLowerCase())) {
    problems.push({ path: ["recipients", index, "name"], message: "repeats another recipient's name" });
  }
  const shareNames = new Set(config.shares.map((share) => share.name.toLowerCase()));
  const tokenOwners = new Map<string, string>();
  const federationOwners = new Map<string, string>();
  recipients.forEach((recipient, index) => {
    recipient.shares.forEach((share, shareIndex) => {
      if (!shareNames.has(share.toLowerCase())) {
        problems.push({
          path: ["recipients", index, "shares", shareIndex],
          message: `grants share '${share}', which is not configured`,
        });
      }
    });
    problems.push(...federationProblems(recipient, index, federationOwners));
    recipient.tokens.forEach((token, tokenIndex) => {
      const owner = tokenOwners.get(token.sha256);
      if (owner !== undefined) {
        problems.push({
          path: ["recipients", index, "tokens", tokenIndex, "sha256"],
          message: `is also a token of recipient '${owner}'`,
        });
      }
      tokenOwners.set(token.sha256, recipient.name);
    });
    if (recipient.directoryAccess === true && config.directoryAccess === undefined) {
      problems.push({
        path: ["recipients", index, "directoryAccess"],
        message: "needs the server's directoryAccess (readerRoleArn)",
      });
    }
    (recipient.allowedIpRanges ?? []).forEach((range, rangeIndex) => {
      if (!parseCidr(range)) {
        problems.push({
          path: ["recipients", index, "allowedIpRanges", rangeIndex],
          message: `is not a CIDR: ${range}`,
        });
      }
    });
  });
  return problems;
}

const loopbackHosts = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** https, or plain http to this machine only: keys fetched over plain http can be swapped on the way. */
function trustworthyUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.test(url.hostname));
  } catch {
    return false;
  }
}

// A recipient needs some way in, and a token must resolve to exactly one recipient: two policies
// naming the same identity at the same issuer would make that a guess.
function federationProblems(
  recipient: RecipientConfig,
  index: number,
  owners: Map<string, string>,
): ConfigProblem[] {
  const path = ["recipients", index];
  const policy = recipient.federation;
  if (policy === undefined) {
    return recipient.tokens.length > 0
      ? []
      : [
          {
            path: [...path, "tokens"],
            message: "must hold a token when the recipient has no federation policy",
          },
        ];
  }
  const problems: ConfigProblem[] = [];
  for (const key of ["issuer", "jwksUri"] as const) {
    const url = policy[key];
    if (url !== undefined && !trustworthyUrl(url)) {
      problems.push({
        path: [...path, "federation", key],
        message: `must be an https URL (http only on loopback): ${url}`,
      });
    }
  }
  const identity = JSON.stringify([policy.issuer, policy.subjectClaim, policy.subject]);
  const owner = owners.get(identity);
  if (owner !== undefined) {
    problems.push({
      path: [...path, "federation", "subject"],
      message: `names the same identity at the same issuer as recipient '${owner}'`,
    });
  }
  owners.set(identity, recipient.name);
  return problems;
}
