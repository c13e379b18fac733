// Everything a request needs, built once from a configuration: the catalogue, the authenticator,
// a storage per table, the snapshot cache and the token codecs. A new configuration builds a new
// context; requests already running keep the one they started with.
import type { S3Client } from "@aws-sdk/client-s3";
import type { STSClient } from "@aws-sdk/client-sts";
import type { Logger } from "pino";
import { type ActivationSpender, leaseSpender } from "./auth/activationLeases.ts";
import { type ActivationFinder, activationFinder } from "./auth/activations.ts";
import { type Authenticator, createAuthenticator } from "./auth/authenticator.ts";
import { IssuerRegistry } from "./auth/issuerRegistry.ts";
import type { ServerConfig } from "./config/schema.ts";
import { SignedTokenCodec } from "./crypto/signedToken.ts";
import { SnapshotCache } from "./delta/snapshotCache.ts";
import { Catalog, type SharedTable } from "./shares/catalog.ts";
import { SchemaDiscovery } from "./shares/schemaDiscovery.ts";
import { FileUrlCodec } from "./storage/fileUrls.ts";
import { openTableFiles, openTableStorage } from "./storage/openTableStorage.ts";
import { PresignedUrlCache } from "./storage/presignedUrlCache.ts";
import { createS3Client } from "./storage/s3Client.ts";
import type { TableStorage } from "./storage/storage.ts";
import {
  createStsClient,
  type TableCredentialIssuer,
  tableCredentialIssuer,
} from "./storage/tableCredentials.ts";
import type { TableFiles } from "./storage/tableFiles.ts";

export interface ServerContext {
  config: ServerConfig;
  catalog: Catalog;
  authenticate: Authenticator;
  /** Activation links, by their code; and the store that spends a code once across replicas. */
  findActivation: ActivationFinder;
  activationSpender: ActivationSpender;
  snapshots: SnapshotCache;
  listPageTokens: SignedTokenCodec;
  /** Next-page tokens of /query and /changes answers. */
  queryPageTokens: SignedTokenCodec;
  /** Refresh tokens of snapshot queries (same files, same version, fresh URLs). */
  refreshTokens: SignedTokenCodec;
  /** Ids of asynchronous queries: the query itself, signed, so that any replica answers a poll. */
  asyncQueries: SignedTokenCodec;
  fileUrls: FileUrlCodec;
  /** Temporary credentials for a table's directory; only when directory access is configured. */
  tableCredentials?: TableCredentialIssuer;
  /** Presigned URLs handed out again while enough of their lifetime remains. */
  urlReuse: PresignedUrlCache;
  logger: Logger;
  storageOf(table: SharedTable): TableStorage;
  /** The table's data files, under its location or its extra roots. */
  filesOf(table: SharedTable): TableFiles;
  /** The tables of whole-schema shares, found under their locations. */
  discovery: SchemaDiscovery;
}

export interface ContextDeps {
  signingKey: Buffer;
  logger: Logger;
  /** Kept across reloads so the snapshot cache survives a configuration change. */
  snapshots?: SnapshotCache;
  /** Kept across reloads so token issuers' keys stay fetched. */
  issuers?: IssuerRegistry;
  /** Kept across reloads so an unchanged S3 configuration keeps its client and connections. */
  s3Client?: (config: ServerConfig["s3"]) => S3Client;
}

export function createContext(config: ServerConfig, deps: ContextDeps): ServerContext {
  const catalog = new Catalog(config);
  const fileUrls = new FileUrlCodec(deps.signingKey);
  let s3Client: S3Client | undefined;
  const s3 = () => {
    s3Client ??= deps.s3Client ? deps.s3Client(config.s3) : createS3Client(config.s3);
    return s3Client;
  };
  const storageDeps = { s3Client: s3, fileUrls };
  let sts: STSClient | undefined;
  const storages = new Map<string, TableStorage>();
  const files = new Map<string, TableFiles>();
  // tables of whole-schema shares appear after the context is made: storage is opened on first use
  const open = (table: SharedTable) => {
    const storage = openTableStorage(table.location, table.id, storageDeps);
    storages.set(table.id, storage);
    files.set(table.id, openTableFiles(storage, table.extraRoots, table.id, storageDeps));
  };
  for (const table of catalog.allTables()) open(table);
  const known = (table: SharedTable) => {
    if (!storages.has(table.id) && catalog.tableById(table.id) === table) open(table);
  };
  const directoryAccess = config.directoryAccess;
  const tableCredentials =
    directoryAccess &&
    tableCredentialIssuer(directoryAccess, () => {
      sts ??= createStsClient(directoryAccess, config.s3);
      return sts;
    });
  return {
    config,
    catalog,
    authenticate: createAuthenticator(config, deps.issuers ?? new IssuerRegistry()),
    findActivation: activationFinder(config.recipients ?? []),
    activationSpender: leaseSpender(config.activation),
    snapshots: deps.snapshots ?? new SnapshotCache(config.deltaTableCacheSize),
    listPageTokens: new SignedTokenCodec(deps.signingKey, "list-page"),
    queryPageTokens: new SignedTokenCodec(deps.signingKey, "query-page"),
    refreshTokens: new SignedTokenCodec(deps.signingKey, "refresh-token"),
    asyncQueries: new SignedTokenCodec(deps.signingKey, "async-query"),
    fileUrls,
    ...(tableCredentials ? { tableCredentials } : {}),
    urlReuse: new PresignedUrlCache(
      config.preSignedUrlReuse?.maxBytes ?? 32 * 1024 * 1024,
      config.preSignedUrlReuse?.minLifetimeShare ?? 0.5,
    ),
    logger: deps.logger,
    discovery: new SchemaDiscovery(catalog, (location) => openTableStorage(location, "", storageDeps)),
    storageOf(table) {
      known(table);
      const storage = storages.get(table.id);
      if (!storage) throw new Error(`no storage for table ${table.id}`);
      return storage;
    },
    filesOf(table) {
      known(table);
      const found = files.get(table.id);
      if (!found) throw new Error(`no storage for table ${table.id}`);
      return found;
    },
  };
}
