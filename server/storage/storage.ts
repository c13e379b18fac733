// The one small interface between the Delta log reader and where tables live. Paths are relative
// to the table root, '/'-separated and already URL-decoded; listings come back sorted by name, as
// both S3 and the Delta log naming scheme expect.

export interface StoredObject {
  /** Path relative to the table root. */
  path: string;
  size: number;
  /** Last modification in epoch milliseconds, where listed: Delta's commit time without in-commit timestamps. */
  modified?: number;
}

/** A random-access view of one object, as Parquet readers want it (hyparquet's AsyncBuffer). */
export interface RandomAccessFile {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

export interface SignedUrl {
  url: string;
  /** When the URL stops working, in epoch milliseconds: the true expiry, not the requested one. */
  expiresAt: number;
}

/** Signs many URLs at once against one set of credentials, so they all share one true expiry. */
export interface UrlSigner {
  expiresAt: number;
  sign(path: string): string;
  /** The same for many paths, where signing them elsewhere (another thread) pays. */
  signMany?(paths: readonly string[]): Promise<string[]>;
}

export interface TableStorage {
  /** The table location as configured, for display. */
  readonly location: string;
  /** Objects directly under `dir` whose name sorts after `startAfter` (a full relative path). */
  list(dir: string, startAfter?: string): AsyncIterable<StoredObject>;
  /** The whole object; `undefined` when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  open(path: string, size?: number): Promise<RandomAccessFile>;
  /** Whether a file is there (change data feeds check for files removed by VACUUM). */
  exists(path: string): Promise<boolean>;
  /** A signer for presigned GET URLs that live at most `ttlSeconds`. */
  urlSigner(ttlSeconds: number, baseUrl: string): Promise<UrlSigner>;
  /** Whether the storage answers at all (readiness). */
  probe(): Promise<void>;
  /** The names of the folders directly under the root, in order, at most `limit` of them. */
  folders(limit: number): Promise<string[]>;
}

export class StorageUnavailableError extends Error {
  readonly throttled: boolean;
  constructor(message: string, throttled: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageUnavailableError";
    this.throttled = throttled;
  }
}

export class StorageAccessError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageAccessError";
  }
}
