// Temporary credentials for one table's S3 prefix: STS AssumeRole from the server's own credentials
// (IRSA, Pod Identity, the SDK's default chain) to the configured reader role, narrowed by an inline
// session policy to the table. Chaining from a role's session caps the lifetime at one hour.
import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from "@aws-sdk/client-sts";
import type { DirectoryAccessConfig, ServerConfig } from "../config/schema.ts";
import type { SdkError } from "./s3Errors.ts";
import type { S3Location } from "./s3Location.ts";
import { partitionOf, sessionPolicyText } from "./sessionPolicy.ts";
import { StorageUnavailableError } from "./storage.ts";

export interface TableCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** When STS says the session ends, epoch milliseconds. */
  expiresAt: number;
}

/** STS refused the server (trust or permission policy, an unknown role): a setup fault, not the recipient's. */
export class CredentialsRefusedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CredentialsRefusedError";
  }
}

function translateStsError(error: unknown, roleArn: string): Error {
  const sdk = error as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  if (status === 429 || sdk.name === "Throttling" || sdk.$retryable?.throttling === true) {
    return new StorageUnavailableError("STS is throttling AssumeRole", true, { cause: error });
  }
  if (status === undefined || status >= 500) {
    return new StorageUnavailableError("STS is unreachable", false, { cause: error });
  }
  return new CredentialsRefusedError(`STS refused to assume ${roleArn}: ${sdk.name ?? status}`, {
    cause: error,
  });
}

export type TableCredentialIssuer = (table: S3Location, recipient: string) => Promise<TableCredentials>;

/** A RoleSessionName (2–64 of [\w+=,.@-]) that names the recipient in CloudTrail. */
export function roleSessionName(recipient: string): string {
  return `delta-sharing@${recipient.replace(/[^\w+=,.@-]/g, "_")}`.slice(0, 64);
}

export function createStsClient(config: DirectoryAccessConfig, s3: ServerConfig["s3"]): STSClient {
  return new STSClient({
    region:
      config.region ?? s3?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(config.stsEndpoint ? { endpoint: config.stsEndpoint } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3000, requestTimeout: 10000 },
  });
}

export function tableCredentialIssuer(
  config: DirectoryAccessConfig,
  sts: () => STSClient,
): TableCredentialIssuer {
  const partition = partitionOf(config.readerRoleArn);
  return async (table, recipient) => {
    let answer: AssumeRoleCommandOutput;
    try {
      answer = await sts().send(
        new AssumeRoleCommand({
          RoleArn: config.readerRoleArn,
          RoleSessionName: roleSessionName(recipient),
          Policy: sessionPolicyText(table, partition),
          DurationSeconds: config.sessionSeconds,
        }),
      );
    } catch (error) {
      throw translateStsError(error, config.readerRoleArn);
    }
    const credentials = answer.Credentials;
    const expiration = credentials?.Expiration;
    if (
      !credentials?.AccessKeyId ||
      !credentials.SecretAccessKey ||
      !credentials.SessionToken ||
      !expiration
    ) {
      throw new Error("STS answered AssumeRole without complete credentials");
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiresAt: expiration.getTime(),
    };
  };
}
