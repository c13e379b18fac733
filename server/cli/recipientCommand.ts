// The `recipient` commands for data providers:
//   node server/cli/main.ts recipient create NAME --endpoint URL [--share S]... [--expires-in 90d]
//        [--allow CIDR]... [--profile FILE] [--activation [--activation-expires-in 72h]] [--json]
//   node server/cli/main.ts recipient rotate NAME --config FILE --endpoint URL [--grace 7d]
//        [--expires-in 90d] [--profile FILE] [--activation [--activation-expires-in 72h]] [--json]
//   node server/cli/main.ts recipient federate NAME --endpoint URL --issuer URL --token-endpoint URL
//        --client-id ID [--subject-claim CLAIM] [--subject VALUE] [--audience A]... [--scope S]...
//        [--jwks-uri URL] [--share S]... [--allow CIDR]... [--profile FILE] [--json]
// It prints (or writes) the recipient's .share profile and the recipient's entry for the server
// configuration; it never changes the configuration itself. A federated recipient's profile is a
// template: the client secret is the recipient's identity provider's, never ours.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { Value } from "@sinclair/typebox/value";
import { stringify } from "yaml";
import { sealActivation } from "../auth/activationSeal.ts";
import { parseCidr } from "../auth/addressRanges.ts";
import { type OAuthProfile, oauthProfile } from "../auth/oauthProfile.ts";
import type { FederationPolicyConfig } from "../config/federationSchema.ts";
import { loadConfigFile } from "../config/load.ts";
import { RecipientConfig } from "../config/schema.ts";
import { parseDuration } from "./duration.ts";
import { createRecipient, type Profile, profileFor, rotateRecipient } from "./recipient.ts";

export const usage = `usage:
  recipient create NAME --endpoint URL [--share SHARE]... [--expires-in 90d] [--allow CIDR]...
                        [--profile FILE] [--activation [--activation-expires-in 72h]] [--json]
  recipient rotate NAME --config FILE --endpoint URL [--grace 7d] [--expires-in 90d]
                        [--profile FILE] [--activation [--activation-expires-in 72h]] [--json]
  recipient federate NAME --endpoint URL --issuer URL --token-endpoint URL --client-id ID
                        [--subject-claim sub|client_id|CLAIM] [--subject VALUE] [--audience AUD]...
                        [--scope SCOPE]... [--jwks-uri URL] [--share SHARE]... [--allow CIDR]...
                        [--profile FILE] [--json]
URL is the sharing endpoint recipients use, e.g. https://sharing.example.com/delta-sharing.
The profile (with the token) goes to --profile FILE (mode 0600) or stdout; the configuration
entry (with only the token's hash) goes to stdout. With --activation the profile is instead
sealed into the entry and a one-time link URL/activate/CODE is printed, to send to the recipient.
`;

export class UsageError extends Error {}

const options = {
  endpoint: { type: "string" },
  share: { type: "string", multiple: true },
  allow: { type: "string", multiple: true },
  "expires-in": { type: "string" },
  grace: { type: "string" },
  config: { type: "string" },
  profile: { type: "string" },
  activation: { type: "boolean" },
  "activation-expires-in": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  issuer: { type: "string" },
  "token-endpoint": { type: "string" },
  "client-id": { type: "string" },
  "subject-claim": { type: "string" },
  subject: { type: "string" },
  audience: { type: "string", multiple: true },
  scope: { type: "string", multiple: true },
  "jwks-uri": { type: "string" },
} as const;

interface OutputValues {
  profile?: string | undefined;
  json?: boolean | undefined;
  activation?: boolean | undefined;
  "activation-expires-in"?: string | undefined;
}

/** Seals the profile into the entry and prints the one-time link instead of the profile. */
function outputActivation(recipient: RecipientConfig, profile: Profile, values: OutputValues): void {
  const expiresAt = new Date(Date.now() + parseDuration(values["activation-expires-in"] ?? "72h"));
  const issued = sealActivation(recipient.name, profile, expiresAt);
  const entry: RecipientConfig = { ...recipient, activation: issued.entry };
  const link = `${profile.endpoint}/activate/${issued.code}`;
  if (values.json) {
    const answer = { activationUrl: link, activationExpiresAt: issued.entry.expiresAt, recipient: entry };
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return;
  }
  process.stdout.write(`# The recipient's one-time activation link (until ${issued.entry.expiresAt}):\n`);
  process.stdout.write(`# ${link}\n`);
  process.stdout.write("# The recipient's entry for the server configuration (under recipients:).\n");
  process.stdout.write(stringify([entry]));
}

async function output(
  recipient: RecipientConfig,
  profile: Profile | OAuthProfile,
  values: OutputValues,
): Promise<void> {
  if (values.profile !== undefined) {
    await writeFile(values.profile, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  }
  if (values.activation && profile.shareCredentialsVersion === 1) {
    return outputActivation(recipient, profile, values);
  }
  if (values.json) {
    const answer = values.profile === undefined ? { profile, recipient } : { recipient };
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return;
  }
  if (values.profile === undefined) {
    process.stdout.write(
      profile.shareCredentialsVersion === 1
        ? "# The recipient's profile: save as a .share file and send it privately.\n"
        : "# The recipient's profile: they put their client secret in clientSecret and save it as a .share file.\n",
    );
    process.stdout.write(`${JSON.stringify(profile, null, 2)}\n\n`);
  } else {
    process.stdout.write(`# The recipient's profile was written to ${values.profile}.\n`);
  }
  process.stdout.write("# The recipient's entry for the server configuration (under recipients:).\n");
  process.stdout.write(stringify([recipient]));
}

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof options }>>["values"];

function checkName(name: string, values: Values): void {
  if (!Value.Check(RecipientConfig.properties.name, name))
    throw new UsageError(`not a valid recipient name: ${name}`);
  for (const range of values.allow ?? []) {
    if (!parseCidr(range)) throw new UsageError(`--allow needs an IPv4 or IPv6 CIDR: ${range}`);
  }
}

function federatedRecipient(
  name: string,
  values: Values & { endpoint: string },
): [RecipientConfig, OAuthProfile] {
  checkName(name, values);
  const clientId = values["client-id"];
  const tokenEndpoint = values["token-endpoint"];
  if (values.issuer === undefined || tokenEndpoint === undefined || clientId === undefined) {
    throw new UsageError("federate needs --issuer, --token-endpoint and --client-id");
  }
  const policy: FederationPolicyConfig = {
    issuer: values.issuer,
    ...(values["jwks-uri"] ? { jwksUri: values["jwks-uri"] } : {}),
    ...(values.audience?.length ? { audiences: values.audience } : {}),
    ...(values.scope?.length ? { scopes: values.scope } : {}),
    subjectClaim: values["subject-claim"] ?? "sub",
    subject: values.subject ?? clientId,
  };
  if (!Value.Check(RecipientConfig.properties.federation, policy)) {
    const first = [...Value.Errors(RecipientConfig.properties.federation, policy)][0];
    throw new UsageError(`not a valid federation policy: ${first?.path} ${first?.message}`);
  }
  const recipient: RecipientConfig = {
    name,
    tokens: [],
    federation: policy,
    shares: values.share ?? [],
    ...(values.allow?.length ? { allowedIpRanges: values.allow } : {}),
  };
  return [recipient, oauthProfile({ endpoint: values.endpoint, tokenEndpoint, clientId, policy })];
}

/** Runs `recipient create|rotate …` (argv starts with "recipient"); throws UsageError on bad arguments. */
export async function recipientCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const [noun, verb, name, ...rest] = positionals;
  if (noun !== "recipient" || name === undefined || rest.length > 0)
    throw new UsageError("unexpected arguments");
  if (values.endpoint === undefined || !/^https?:\/\/[^/]+/.test(values.endpoint)) {
    throw new UsageError("--endpoint must be the http(s) URL recipients reach the sharing endpoint at");
  }
  const now = Date.now();
  const expiresAt = values["expires-in"] ? new Date(now + parseDuration(values["expires-in"])) : undefined;
  if (verb === "create") {
    checkName(name, values);
    const made = createRecipient({
      name,
      shares: values.share ?? [],
      ...(values.allow ? { allowedIpRanges: values.allow } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    await output(made.recipient, profileFor(values.endpoint, made.token), values);
    return;
  }
  if (verb === "federate") {
    if (values.activation)
      throw new UsageError("federate prints a profile template; it has no activation link");
    await output(...federatedRecipient(name, { ...values, endpoint: values.endpoint }), values);
    return;
  }
  if (verb === "rotate") {
    if (values.config === undefined) throw new UsageError("rotate needs --config FILE");
    const config = await loadConfigFile(values.config);
    const existing = config.recipients?.find(
      (recipient) => recipient.name.toLowerCase() === name.toLowerCase(),
    );
    if (!existing) throw new UsageError(`${values.config} has no recipient named '${name}'`);
    const graceEnds = new Date(now + parseDuration(values.grace ?? "7d"));
    const rotated = rotateRecipient(existing, graceEnds, expiresAt);
    await output(rotated.recipient, profileFor(values.endpoint, rotated.token), values);
    return;
  }
  throw new UsageError(`unknown command: recipient ${verb ?? ""}`);
}
