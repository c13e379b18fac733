// Presigned URLs for the files an answer hands out: the data (or change data) file itself and, for
// a file with an on-disk deletion vector, the deletion vector file, each with a stable id.
import type { AddFile, DeletionVectorDescriptor } from "../delta/actions.ts";
import { DeletionVectorPathError, deletionVectorPath } from "../delta/deletionVectors.ts";
import type { UrlSigner } from "../storage/storage.ts";
import { deletionVectorFileId, type SignedFile } from "./deltaLines.ts";
import { SharingError } from "./errors.ts";
import { fileId } from "./parquetLines.ts";

/** The table location as a URI prefix, as absolute ('p') deletion vector paths spell it. */
export function tableRootUri(location: string): string {
  return location.startsWith("/") ? `file:${location}` : location;
}

export class FileSigner {
  readonly #signer: UrlSigner;
  readonly #root: string;
  /** The earliest expiry among the URLs handed out so far. */
  minExpiresAt: number | undefined;

  constructor(signer: UrlSigner, location: string) {
    this.#signer = signer;
    this.#root = tableRootUri(location);
  }

  async sign(
    file: { path: string; deletionVector?: DeletionVectorDescriptor },
    stamp: { version?: number; timestamp?: number } = {},
  ): Promise<SignedFile> {
    const url = await this.#signer.sign(file.path);
    const expiresAt = this.#signer.expiresAt;
    this.minExpiresAt = Math.min(this.minExpiresAt ?? expiresAt, expiresAt);
    const signed: SignedFile = {
      id: fileId(file as AddFile),
      url,
      expiresAt,
      ...(stamp.version !== undefined ? { version: stamp.version } : {}),
      ...(stamp.timestamp !== undefined ? { timestamp: stamp.timestamp } : {}),
    };
    if (file.deletionVector) {
      let dvPath: string | undefined;
      try {
        dvPath = deletionVectorPath(file.deletionVector, this.#root);
      } catch (error) {
        if (error instanceof DeletionVectorPathError)
          throw new SharingError("unsupportedOperation", error.message);
        throw error;
      }
      if (dvPath !== undefined) {
        signed.deletionVector = { id: deletionVectorFileId(dvPath), url: await this.#signer.sign(dvPath) };
      }
    }
    return signed;
  }
}
