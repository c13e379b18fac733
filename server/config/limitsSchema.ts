// The limits keys: request sizes, per-recipient and per-address rates, the memory budget (part of
// schema.ts's one definition, kept apart for size).
import { type Static, Type as T } from "@sinclair/typebox";

const strict = { additionalProperties: false } as const;

export const RateLimitConfig = T.Object(
  {
    requestsPerSecond: T.Number({
      minimum: 0,
      maximum: 1_000_000,
      default: 50,
      description: "Sustained requests per second for each recipient; 0 turns the limit off.",
    }),
    burst: T.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 200,
      description: "Requests a recipient may make at once before the sustained rate applies.",
    }),
  },
  strict,
);

export const AuthFailureLimitConfig = T.Object(
  {
    failuresPerSecond: T.Number({
      minimum: 0,
      maximum: 1_000_000,
      default: 1,
      description:
        "Sustained failed authentications per second from one client address; 0 turns the limit off.",
    }),
    burst: T.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 20,
      description: "Failed authentications one address may make at once before it gets 429.",
    }),
  },
  strict,
);

export const LimitsConfig = T.Object(
  {
    maxRequestBodyBytes: T.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 1024 * 1024 }),
    maxPredicateHints: T.Integer({ minimum: 0, maximum: 10_000, default: 100 }),
    rateLimit: T.Optional(RateLimitConfig),
    authFailureLimit: T.Optional(AuthFailureLimitConfig),
    memoryLimitBytes: T.Optional(
      T.Integer({
        minimum: 64 * 1024 * 1024,
        description:
          "The memory the server may use; the container's cgroup limit (or the machine's memory) when unset. " +
          "Table snapshots and answers are admitted against a budget of 80% of what is left after 128 MiB " +
          "and half the JavaScript heap limit.",
      }),
    ),
    memoryBudgetBytes: T.Optional(
      T.Integer({
        minimum: 0,
        description:
          "The budget for table snapshots and answers itself, overriding the one derived from the limit. " +
          "A table or answer that does not fit is refused with a retryable 503.",
      }),
    ),
  },
  strict,
);

export type LimitsConfig = Static<typeof LimitsConfig>;
export type RateLimitConfig = Static<typeof RateLimitConfig>;
export type AuthFailureLimitConfig = Static<typeof AuthFailureLimitConfig>;
