// Sorting S3 failures into the few kinds the protocol layer answers differently: missing,
// forbidden, and temporarily unavailable (retryable).
import { StorageAccessError, StorageUnavailableError } from "./storage.ts";

/** The fields of an AWS SDK v3 service error the translations read. */
export interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function isS3NotFound(error: unknown): boolean {
  const sdk = error as SdkError;
  return sdk.name === "NoSuchKey" || sdk.name === "NotFound" || sdk.$metadata?.httpStatusCode === 404;
}

export function translateS3Error(error: unknown, what: string): Error {
  const sdk = error as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  if (status === 403 || sdk.name === "AccessDenied" || sdk.name === "InvalidAccessKeyId") {
    return new StorageAccessError(`access to ${what} was denied by S3`, { cause: error });
  }
  if (sdk.name === "NoSuchBucket")
    return new StorageAccessError(`the bucket of ${what} does not exist`, { cause: error });
  const throttled = status === 429 || sdk.name === "SlowDown" || sdk.$retryable?.throttling === true;
  if (throttled)
    return new StorageUnavailableError(`S3 is throttling reads of ${what}`, true, { cause: error });
  if (status === undefined || status >= 500) {
    return new StorageUnavailableError(`S3 is unreachable while reading ${what}`, false, { cause: error });
  }
  return new StorageAccessError(`S3 refused reading ${what} (${status})`, { cause: error });
}
