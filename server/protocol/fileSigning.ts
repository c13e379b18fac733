// Presigned URLs for the files an answer hands out: the data (or change data) file itself and, for
// a file with an on-disk deletion vector, the deletion vector file, each with a stable id. A path
// the table may not hand out (escaping its location, outside its roots) is refused by name, never
// signed.
import type { DeletionVectorDescriptor } from "../delta/actions.ts";
import { DeletionVectorPathError, deletionVectorPath } from "../delta/deletionVectors.ts";
import { type SharedTable, tableLabel } from "../shares/catalog.ts";
import { PathRefusedError } from "../storage/loggedPath.ts";
import type { UrlReuse } from "../storage/presignedUrlCache.ts";
import type { FileUrlSigner, TableFiles } from "../storage/tableFiles.ts";
import type { SignedFile } from "./deltaLines.ts";
import { SharingError } from "./errors.ts";
import { deletionVectorFileId, type FileIdScheme, fileId } from "./fileIds.ts";

/** The refusal of a file the table's log names but may not be handed out. */
export function refusedPath(
  table: SharedTable,
  error: PathRefusedError | DeletionVectorPathError,
): SharingError {
  return new SharingError("unreadableTable", `table ${tableLabel(table)}: ${error.message}`);
}

export class FileSigner {
  readonly #files: TableFiles;
  readonly #signer: FileUrlSigner;
  readonly #table: SharedTable;
  readonly #idScheme: FileIdScheme;
  /** The earliest expiry among the URLs handed out so far. */
  minExpiresAt: number | undefined;

  /** How the files' ids are made for this answer. */
  get idScheme(): FileIdScheme {
    return this.#idScheme;
  }

  readonly #reuse: UrlReuse | undefined;

  constructor(
    table: SharedTable,
    files: TableFiles,
    signer: FileUrlSigner,
    idScheme: FileIdScheme,
    reuse?: UrlReuse,
  ) {
    this.#table = table;
    this.#files = files;
    this.#signer = signer;
    this.#idScheme = idScheme;
    this.#reuse = reuse;
  }

  #address(logged: string): ReturnType<TableFiles["address"]> {
    try {
      return this.#files.address(logged);
    } catch (error) {
      if (error instanceof PathRefusedError) throw refusedPath(this.#table, error);
      throw error;
    }
  }

  #handedOut(signed: { url: string; expiresAt: number }): { url: string; expiresAt: number } {
    this.minExpiresAt = Math.min(this.minExpiresAt ?? signed.expiresAt, signed.expiresAt);
    return signed;
  }

  async #signLogged(logged: string): Promise<{ url: string; expiresAt: number }> {
    return this.#handedOut(await this.#signer.sign(this.#address(logged)));
  }

  /**
   * A presigned URL for one logged path (reused, or signed now) and its true expiry, without
   * waiting; undefined when the table's signer is not made yet (`url` makes it).
   */
  urlNow(loggedPath: string): { url: string; expiresAt: number } | undefined {
    const cached = this.#reuse?.get(loggedPath, Date.now());
    if (cached) return this.#handedOut(cached);
    const signed = this.#signer.signNow(this.#address(loggedPath));
    if (!signed) return undefined;
    this.#reuse?.set(loggedPath, signed.url, signed.expiresAt);
    return this.#handedOut(signed);
  }

  /** Presigned URLs for many logged paths (reused, or signed now), in order. */
  async urls(loggedPaths: readonly string[]): Promise<{ url: string; expiresAt: number }[]> {
    const now = Date.now();
    const urls: { url: string; expiresAt: number }[] = new Array(loggedPaths.length);
    const missing: number[] = [];
    loggedPaths.forEach((path, index) => {
      const cached = this.#reuse?.get(path, now);
      if (cached) urls[index] = this.#handedOut(cached);
      else missing.push(index);
    });
    if (missing.length === 0) return urls;
    const signed = await this.#signer.signMany(
      missing.map((index) => this.#address(loggedPaths[index] as string)),
    );
    missing.forEach((index, i) => {
      const url = signed[i] as { url: string; expiresAt: number };
      this.#reuse?.set(loggedPaths[index] as string, url.url, url.expiresAt);
      urls[index] = this.#handedOut(url);
    });
    return urls;
  }

  /** A presigned URL for one logged path (reused, or signed now) and its true expiry. */
  async url(loggedPath: string): Promise<{ url: string; expiresAt: number }> {
    const now = this.urlNow(loggedPath);
    if (now) return now;
    const signed = await this.#signLogged(loggedPath);
    this.#reuse?.set(loggedPath, signed.url, signed.expiresAt);
    return signed;
  }

  async sign(
    file: { path: string; deletionVector?: DeletionVectorDescriptor },
    stamp: { version?: number; timestamp?: number } = {},
  ): Promise<SignedFile> {
    const { url, expiresAt } = await this.#signLogged(file.path);
    const signed: SignedFile = {
      id: fileId(file.path, this.#idScheme),
      url,
      expiresAt,
      ...(stamp.version !== undefined ? { version: stamp.version } : {}),
      ...(stamp.timestamp !== undefined ? { timestamp: stamp.timestamp } : {}),
    };
    if (file.deletionVector) {
      let dvPath: string | undefined;
      try {
        dvPath = deletionVectorPath(file.deletionVector);
      } catch (error) {
        if (error instanceof DeletionVectorPathError) throw refusedPath(this.#table, error);
        throw error;
      }
      if (dvPath !== undefined) {
        const dv = await this.#signLogged(dvPath);
        signed.deletionVector = { id: deletionVectorFileId(dvPath), url: dv.url };
      }
    }
    return signed;
  }
}
