// The error catalogue: every error the server answers with, its Delta Sharing `errorCode` and its
// HTTP status, declared once. Routes throw `SharingError`s; one handler turns them into the
// protocol's `{errorCode, message}` body. Anything else becomes a bare INTERNAL_ERROR, never a stack.

export const errorCatalogue = {
  malformedRequest: { errorCode: "MALFORMED_REQUEST", status: 400 },
  invalidParameter: { errorCode: "INVALID_PARAMETER_VALUE", status: 400 },
  unsupportedOperation: { errorCode: "UNSUPPORTED_OPERATION", status: 400 },
  unauthenticated: { errorCode: "UNAUTHENTICATED", status: 401 },
  forbidden: { errorCode: "PERMISSION_DENIED", status: 403 },
  notFound: { errorCode: "RESOURCE_DOES_NOT_EXIST", status: 404 },
  // the table's content keeps it from being read (a corrupt log, a file outside its location):
  // nothing the client can change, but not a server fault either
  unreadableTable: { errorCode: "INVALID_TABLE_STATE", status: 400 },
  methodNotAllowed: { errorCode: "UNSUPPORTED_OPERATION", status: 405 },
  requestTimeout: { errorCode: "REQUEST_TIMEOUT", status: 408 },
  payloadTooLarge: { errorCode: "MALFORMED_REQUEST", status: 413 },
  unsupportedMediaType: { errorCode: "MALFORMED_REQUEST", status: 415 },
  tooManyRequests: { errorCode: "RESOURCE_EXHAUSTED", status: 429 },
  internal: { errorCode: "INTERNAL_ERROR", status: 500 },
  storageUnavailable: { errorCode: "TEMPORARILY_UNAVAILABLE", status: 503 },
  memoryExhausted: { errorCode: "RESOURCE_EXHAUSTED", status: 503 },
  timeout: { errorCode: "TEMPORARILY_UNAVAILABLE", status: 503 },
  issuerUnavailable: { errorCode: "TEMPORARILY_UNAVAILABLE", status: 503 },
} as const;

export type ErrorKind = keyof typeof errorCatalogue;

export interface ErrorBody {
  errorCode: string;
  message: string;
}

export class SharingError extends Error {
  readonly kind: ErrorKind;
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "SharingError";
    this.kind = kind;
    this.headers = headers;
  }

  get status(): number {
    return errorCatalogue[this.kind].status;
  }

  body(): ErrorBody {
    return { errorCode: errorCatalogue[this.kind].errorCode, message: this.message };
  }
}

export function isSharingError(error: unknown): error is SharingError {
  return error instanceof SharingError;
}

export const notFound = (what: string): SharingError =>
  new SharingError("notFound", `${what} does not exist`);

export const invalidParameter = (message: string): SharingError =>
  new SharingError("invalidParameter", message);

export const malformed = (message: string): SharingError => new SharingError("malformedRequest", message);
