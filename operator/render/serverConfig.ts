// The sharing server's configuration file for a DeltaSharingServer, in the shape of the server's
// own schema (server/config/schema.ts). Paths are relative to the file: the server resolves them
// beside it, wherever the Secret is mounted.
import { Value } from "@sinclair/typebox/value";
import { OpsConfig } from "../../server/config/opsSchema.ts";
import {
  AuthFailureLimitConfig,
  LimitsConfig,
  RateLimitConfig,
  type RecipientConfig,
  type ServerConfig,
  type ShareConfig,
} from "../../server/config/schema.ts";
import { serverDefaults } from "../api/deltaSharingServer.ts";
import type { DeltaSharingServer } from "../api/kinds.ts";

export const configFileName = "config.yaml";
export const signingKeyFileName = "signing-key";

// the server's own defaults fill what the spec leaves out of a limit it sets
const rateLimitDefaults = Value.Default(RateLimitConfig, {}) as RateLimitConfig;
const authFailureLimitDefaults = Value.Default(AuthFailureLimitConfig, {}) as AuthFailureLimitConfig;
const opsDefaults = Value.Default(OpsConfig, {}) as OpsConfig;
const limitsDefaults = Value.Default(LimitsConfig, {}) as LimitsConfig;

/** The configuration file as written: keys with server-side defaults may be left out. */
export type ServerConfigFile = Partial<ServerConfig> & Pick<ServerConfig, "version" | "shares">;

export function renderServerConfig(
  server: DeltaSharingServer,
  shares: ShareConfig[],
  recipients: RecipientConfig[],
): ServerConfigFile {
  const spec = server.spec;
  const limits = {
    ...(spec.rateLimit !== undefined ? { rateLimit: { ...rateLimitDefaults, ...spec.rateLimit } } : {}),
    ...(spec.authFailureLimit !== undefined
      ? { authFailureLimit: { ...authFailureLimitDefaults, ...spec.authFailureLimit } }
      : {}),
  };
  const s3 = {
    ...(spec.s3?.region !== undefined ? { region: spec.s3.region } : {}),
    ...(spec.s3?.endpoint !== undefined ? { endpoint: spec.s3.endpoint } : {}),
    ...(spec.s3?.forcePathStyle !== undefined ? { forcePathStyle: spec.s3.forcePathStyle } : {}),
  };
  return {
    version: 1,
    host: spec.bindAddress ?? serverDefaults.bindAddress,
    port: spec.port ?? serverDefaults.port,
    endpoint: spec.endpointPath ?? serverDefaults.endpointPath,
    ops: {
      ...opsDefaults,
      host: spec.bindAddress ?? serverDefaults.bindAddress,
      port: spec.opsPort ?? serverDefaults.opsPort,
    },
    ...(spec.publicUrl !== undefined ? { publicUrl: spec.publicUrl } : {}),
    ...(spec.trustedProxies !== undefined ? { trustedProxies: spec.trustedProxies } : {}),
    ...(Object.keys(limits).length > 0 ? { limits: { ...limitsDefaults, ...limits } } : {}),
    ...(spec.activation?.contact !== undefined ? { activation: { contact: spec.activation.contact } } : {}),
    preSignedUrlTimeoutSeconds: spec.presignedUrlTtlSeconds ?? serverDefaults.presignedUrlTtlSeconds,
    logLevel: spec.logLevel ?? serverDefaults.logLevel,
    signingKeyFile: signingKeyFileName,
    ...(Object.keys(s3).length > 0 ? { s3 } : {}),
    ...(spec.directoryAccess !== undefined
      ? { directoryAccess: directoryAccessOf(spec.directoryAccess) }
      : {}),
    // without a reader role no table or recipient may opt in (the server would refuse the file)
    shares: spec.directoryAccess !== undefined ? shares : shares.map(shareWithoutDirectoryAccess),
    recipients: [...recipients]
      .map((recipient) =>
        spec.directoryAccess !== undefined ? recipient : recipientWithoutDirectoryAccess(recipient),
      )
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function directoryAccessOf(spec: NonNullable<DeltaSharingServer["spec"]["directoryAccess"]>) {
  return {
    readerRoleArn: spec.readerRoleArn,
    sessionSeconds: spec.sessionSeconds ?? 3600,
    ...(spec.region !== undefined ? { region: spec.region } : {}),
    ...(spec.stsEndpoint !== undefined ? { stsEndpoint: spec.stsEndpoint } : {}),
  };
}

function shareWithoutDirectoryAccess(share: ShareConfig): ShareConfig {
  return {
    ...share,
    schemas: share.schemas.map((schema) => ({
      ...schema,
      tables: schema.tables.map(({ directoryAccess: _dropped, ...table }) => table),
    })),
  };
}

function recipientWithoutDirectoryAccess(recipient: RecipientConfig): RecipientConfig {
  const { directoryAccess: _dropped, ...rest } = recipient;
  return rest;
}

// Written as JSON, which is YAML too: it serialises and reads back orders of magnitude faster than
// YAML text for a configuration of thousands of recipients, on every render. One line per key,
// and per share and recipient, keeps it readable and small (a Secret holds at most 1 MiB).
export function serverConfigText(config: ServerConfigFile): string {
  const lines = Object.entries(config).map(([key, value]) => {
    const text = Array.isArray(value)
      ? value.length === 0
        ? "[]"
        : `[\n${value.map((item) => `    ${JSON.stringify(item)}`).join(",\n")}\n  ]`
      : JSON.stringify(value);
    return `  ${JSON.stringify(key)}: ${text}`;
  });
  return `{\n${lines.join(",\n")}\n}\n`;
}
