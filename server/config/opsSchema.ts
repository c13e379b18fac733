// The ops port's configuration keys (part of schema.ts's one definition, kept apart for size).
import { type Static, Type as T } from "@sinclair/typebox";

const strict = { additionalProperties: false } as const;

export const OpsConfig = T.Object(
  {
    host: T.String({ minLength: 1, default: "0.0.0.0", description: "Address the ops port binds." }),
    port: T.Integer({
      minimum: 0,
      maximum: 65535,
      default: 9090,
      description: "The ops port: /livez, /readyz, /metrics and /status, without authentication.",
    }),
    tableProbeIntervalSeconds: T.Integer({
      minimum: 0,
      maximum: 86400,
      default: 60,
      description: "How often every table's _delta_log is probed for /status; 0 for only at load.",
    }),
  },
  strict,
);

export type OpsConfig = Static<typeof OpsConfig>;
