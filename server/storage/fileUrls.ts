// Signed, expiring URLs for files the server serves itself (tables on local disk). The token names
// the table by id and the file by its table-relative path, signed with the server's key, so it
// cannot be forged, widened to another file, or extended.
import { SignedTokenCodec } from "../crypto/signedToken.ts";
import { macOnWorker } from "./workerPresign.ts";

export interface FileUrlClaims {
  tableId: string;
  /** Which of the table's roots the path is under (0: the table's own location). */
  root: number;
  path: string;
  expiresAt: number;
}

export class FileUrlCodec {
  readonly #codec: SignedTokenCodec;

  constructor(key: Buffer) {
    this.#codec = new SignedTokenCodec(key, "file-url");
  }

  encode(claims: FileUrlClaims): string {
    return this.#codec.encode(FileUrlCodec.#value(claims));
  }

  /** The tokens of many files, in order, their MACs computed on the signing thread. */
  encodeMany(claims: readonly FileUrlClaims[]): Promise<string[]> {
    return this.#codec.encodeMany(claims.map(FileUrlCodec.#value), macOnWorker);
  }

  static #value(claims: FileUrlClaims): unknown[] {
    return [claims.tableId, claims.path, claims.expiresAt, claims.root];
  }

  /** The claims of an authentic token, expired or not; `undefined` otherwise. */
  decode(token: string): FileUrlClaims | undefined {
    const parsed = this.#codec.decode(token);
    if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
    const [tableId, path, expiresAt, root] = parsed as unknown[];
    if (typeof tableId !== "string" || typeof path !== "string" || typeof expiresAt !== "number")
      return undefined;
    if (typeof root !== "number" || !Number.isInteger(root) || root < 0) return undefined;
    return { tableId, root, path, expiresAt };
  }
}
