// A DeltaRecipient's status: credentials issued (and not expired), every granted share served,
// its current token accepted by the server's configuration, that configuration loaded by every
// ready server pod, and Ready when all four hold: the profile works now.
import type { DeltaRecipientStatus } from "../api/deltaRecipient.ts";
import type { DeltaRecipient } from "../api/kinds.ts";
import type { ActivationStatus } from "./activation.ts";
import { type ConditionInput, nextConditions, notYetJudged, readyFrom } from "./conditions.ts";
import { type Loading, loadedCondition } from "./configLoading.ts";
import { type Credentials, isExpired } from "./credentials.ts";
import { credentialsStatus, recordedCredentials } from "./credentialsRecord.ts";

export interface RecipientFacts {
  serverName: string;
  serverFound: boolean;
  secretName: string;
  /** Another owner controls the Secret the recipient names. */
  secretConflict: boolean;
  credentials: Credentials | undefined;
  /** The Secret holds a federated recipient's profile template (there is no token of ours). */
  federated?: boolean;
  endpoint: string | undefined;
  unknownShares: string[];
  /** The server's written configuration holds the current token with the current grants. */
  acceptedByServer: boolean;
  /** Why the server's own rules refused the recipient, when they did. */
  refusal?: string | undefined;
  /** Whether the server's ready pods serve the written configuration. */
  loading?: Loading | undefined;
  /** The current activation link, when spec.activation asks for one. */
  activation?: ActivationStatus | undefined;
}

function credentialsCondition(facts: RecipientFacts, now: Date): ConditionInput {
  const type = "CredentialsIssued";
  if (!facts.serverFound) {
    return {
      type,
      status: "False",
      reason: "ServerNotFound",
      message: `DeltaSharingServer ${facts.serverName} does not exist`,
    };
  }
  if (facts.secretConflict) {
    return {
      type,
      status: "False",
      reason: "SecretConflict",
      message: `Secret ${facts.secretName} exists and is not controlled by this recipient; choose another credentialSecretName`,
    };
  }
  const credentials = facts.credentials;
  if (facts.federated === true) {
    return {
      type,
      status: "True",
      reason: "FederationPolicy",
      message: `profile template in Secret ${facts.secretName} (key config.share); the client secret comes from the recipient's identity provider`,
    };
  }
  if (credentials === undefined) {
    return { type, status: "Unknown", reason: "Pending", message: `writing Secret ${facts.secretName}` };
  }
  if (isExpired(credentials, now)) {
    return {
      type,
      status: "False",
      reason: "TokenExpired",
      message: `the token expired at ${credentials.expiresAt}; raise spec.token.rotation for a new one`,
    };
  }
  const expiry = credentials.expiresAt ? `expires at ${credentials.expiresAt}` : "does not expire";
  return {
    type,
    status: "True",
    reason: "TokenIssued",
    message: `profile in Secret ${facts.secretName} (key config.share); the token ${expiry}`,
  };
}

function sharesCondition(facts: RecipientFacts): ConditionInput {
  const type = "SharesGranted";
  if (facts.unknownShares.length > 0) {
    const names = facts.unknownShares.map((name) => `'${name}'`).join(", ");
    return {
      type,
      status: "False",
      reason: "UnknownShare",
      message: `server ${facts.serverName} serves no share named ${names}; the other grants apply`,
    };
  }
  return { type, status: "True", reason: "SharesServed", message: "every granted share is served" };
}

function acceptedCondition(facts: RecipientFacts): ConditionInput {
  if (facts.refusal !== undefined) {
    return { type: "Accepted", status: "False", reason: "RefusedByServer", message: facts.refusal };
  }
  if (facts.acceptedByServer) {
    return {
      type: "Accepted",
      status: "True",
      reason: "InServerConfig",
      message: `server ${facts.serverName}'s configuration accepts the current token`,
    };
  }
  return {
    type: "Accepted",
    status: "Unknown",
    reason: "Pending",
    message: `waiting for server ${facts.serverName}'s configuration to include the current token`,
  };
}

export function recipientStatus(
  recipient: DeltaRecipient,
  facts: RecipientFacts,
  now: Date,
): DeltaRecipientStatus {
  const issued = credentialsCondition(facts, now);
  const shares = facts.serverFound ? sharesCondition(facts) : notYetJudged("SharesGranted", issued);
  const accepted = issued.status === "True" ? acceptedCondition(facts) : notYetJudged("Accepted", issued);
  const loaded =
    accepted.status === "True"
      ? loadedCondition(
          facts.loading ?? { loaded: false, message: `asking server ${facts.serverName}'s pods` },
          "the current token",
        )
      : notYetJudged("Loaded", accepted);
  const parts = [issued, shares, accepted, loaded];
  const ready = readyFrom(parts, `profile ready in Secret ${facts.secretName}`, "CredentialsReady");
  const generation = recipient.metadata.generation;
  const credentials = facts.credentials;
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: nextConditions(recipient.status?.conditions, [ready, ...parts], generation, now),
    credentialSecretName: facts.secretName,
    ...(facts.endpoint !== undefined ? { endpoint: facts.endpoint } : {}),
    // without credentials this time (no server, for now), the recorded ones are kept, not forgotten
    // a federated recipient has no token of ours to record
    ...(credentials !== undefined
      ? credentialsStatus(credentials)
      : facts.federated === true
        ? {}
        : recordedCredentials(recipient.status)),
    ...(facts.activation !== undefined ? { activation: facts.activation } : {}),
  };
}
