// One S3 client per server. Credentials come ONLY from the SDK's default provider chain (IRSA web
// identity, EKS Pod Identity, environment, instance profile); the config file never holds keys.
import { S3Client } from "@aws-sdk/client-s3";
import type { S3Config } from "../config/schema.ts";

export function createS3Client(config: S3Config | undefined): S3Client {
  return new S3Client({
    region: config?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(config?.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config?.forcePathStyle ?? false,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3000, requestTimeout: 15000 },
  });
}
