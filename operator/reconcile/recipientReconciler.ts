// Reconciles a DeltaRecipient: keeps its token (made once, rotated on request) and profile in its
// credential Secret, asks its server to re-render when that changes, and reports whether the
// server's written configuration accepts the current token with the current grants.
import { isDeepStrictEqual } from "node:util";
import type { V1Secret } from "@kubernetes/client-node";
import type { DeltaRecipient, DeltaSharingServer } from "../api/kinds.ts";
import { isConflict } from "../kube/client.ts";
import { type KubeObject, keyOf } from "../kube/objects.ts";
import { objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import { profileTokenOf, renderCredentialSecret, type SecretLike } from "../render/credentialSecret.ts";
import {
  type Credentials,
  nextCredentialsEvent,
  planCredentials,
  tokenSha256,
} from "../render/credentials.ts";
import { readCredentials, recordedCredentials, withCredentials } from "../render/credentialsRecord.ts";
import { profileEndpoint } from "../render/endpoint.ts";
import { configSecretName, credentialSecretName } from "../render/names.ts";
import { isControlledBy } from "../render/ownerReference.ts";
import { renderRecipientConfig } from "../render/recipientConfig.ts";
import { recipientStatus } from "../render/recipientStatus.ts";
import { selectServedShares } from "../render/servedShares.ts";
import { appliedConfigOf, grantsFingerprint } from "./appliedConfig.ts";
import { addFinalizer, removeFinalizer, writeGuarded, writeStatus } from "./apply.ts";
import type { ReconcileContext, Reconciler } from "./context.ts";
import { serverKeyOf } from "./dependents.ts";
import { reportStatus } from "./report.ts";
import type { Exclusions } from "./serverReconciler.ts";

const changeEvents = {
  issued: ["TokenIssued", "made a token and wrote the profile"],
  rotated: ["TokenRotated", "made a new token; the previous one works until the grace period ends"],
  previousExpired: ["PreviousTokenExpired", "the previous token's grace period ended"],
  expiryChanged: ["TokenExpiryChanged", "the token lifetime changed"],
} as const;

const pendingGraceMs = 10_000;

/** A recipient with no status yet, created moments ago, whose only wait is for the server's configuration. */
function isFreshlyPending(recipient: DeltaRecipient, readyReason: string | undefined, now: Date): boolean {
  if (readyReason !== "Pending" || recipient.status?.conditions !== undefined) return false;
  const created = Date.parse(recipient.metadata.creationTimestamp ?? "");
  return Number.isFinite(created) && now.getTime() - created < pendingGraceMs;
}

type Issued = { conflict: true } | { conflict: false; credentials: Credentials; endpoint: string };

async function issueCredentials(
  context: ReconcileContext,
  recipient: DeltaRecipient,
  server: DeltaSharingServer,
  secretName: string,
): Promise<Issued> {
  let secret: KubeObject | undefined = context.caches.secrets.get(
    keyOf(recipient.metadata.namespace, secretName),
  );
  const endpoint = profileEndpoint(server);
  // the status as this reconcile last wrote it: a first attempt may record a token for a Secret
  // the cache did not show, and a second one, having read it, record its token instead
  let stored = recipient.status;
  for (let attempt = 0; ; attempt++) {
    if (secret !== undefined && isControlledBy(secret, recipient) !== true) return { conflict: true };
    const token = profileTokenOf(secret as SecretLike | undefined);
    const recorded = readCredentials(token, recipient.status);
    const plan = planCredentials(recorded, recipient.spec.token, context.now(), context.makeToken);
    if (recorded === undefined && token !== undefined && recipient.status?.tokenSha256 !== undefined) {
      context.events.record(
        recipient,
        "Warning",
        "CredentialSecretChanged",
        `Secret ${secretName} no longer holds the token this recipient was given; a new one replaces it`,
      );
    }
    // the token's life goes into the status before the token goes into the Secret: a token any
    // Secret holds is always one the status records, whenever the operator stops
    const record = withCredentials(stored, plan.credentials);
    if (!isDeepStrictEqual(recordedCredentials(record), recordedCredentials(stored))) {
      await writeStatus(context, resourceTypes.recipient, { ...recipient, status: stored }, record);
      stored = record;
    }
    const desired = renderCredentialSecret(recipient, endpoint, plan.credentials);
    let outcome: string;
    try {
      outcome = (await writeGuarded(context, resourceTypes.secret, desired, secret)).outcome;
    } catch (error) {
      if (secret !== undefined || !isConflict(error) || attempt > 0) throw error;
      // The cache holds only Secrets labelled as the operator's: one of that name it does not
      // show is someone else's, or one of ours that lost its labels or is not cached yet. Read
      // it, and go on from what it holds.
      secret = await context.client.get<KubeObject>(
        objectPath(resourceTypes.secret, recipient.metadata.namespace, secretName),
      );
      continue;
    }
    if (outcome !== "unchanged") context.enqueue.serverSoon(serverKeyOf(recipient));
    if (plan.change !== "unchanged") {
      const [reason, message] = changeEvents[plan.change];
      context.events.record(recipient, "Normal", reason, `${message} (Secret ${secretName})`);
    }
    return { conflict: false, credentials: plan.credentials, endpoint };
  }
}

/** Unknown grants, and whether the server's written configuration holds this token and these grants. */
function acceptance(
  context: ReconcileContext,
  recipient: DeltaRecipient,
  server: DeltaSharingServer,
  credentials: Credentials,
) {
  const { caches } = context;
  const { served } = selectServedShares(server, caches.shares.list());
  const servedNames = new Map(served.map(({ rendered }) => [rendered.name.toLowerCase(), rendered.name]));
  const expected = renderRecipientConfig(recipient, credentials, servedNames);
  const configSecret = caches.secrets.get(keyOf(recipient.metadata.namespace, configSecretName(server)));
  const applied = appliedConfigOf(configSecret as V1Secret | undefined).recipients.get(
    recipient.metadata.name,
  );
  const accepted =
    applied?.tokens.has(tokenSha256(credentials.token)) === true &&
    applied.shares === grantsFingerprint(expected.config);
  return { unknownShares: expected.unknownShares, accepted };
}

export function recipientReconciler(context: ReconcileContext, exclusions: Exclusions): Reconciler {
  return async (key) => {
    const recipient = context.caches.recipients.get(key);
    if (recipient === undefined) return {};
    const serverKey = serverKeyOf(recipient);
    const server = context.caches.servers.get(serverKey);
    const live = server !== undefined && server.metadata.deletionTimestamp === undefined ? server : undefined;
    if (recipient.metadata.deletionTimestamp !== undefined) {
      // the server reconciler removes the finalizer once its configuration no longer holds the
      // recipient; without a server there is nothing to revoke
      if (live !== undefined) context.enqueue.server(serverKey);
      else await removeFinalizer(context, resourceTypes.recipient, recipient);
      return {};
    }
    const now = context.now();
    const secretName = credentialSecretName(recipient);
    // independent writes, made together: reconciles wait on the API server, not on CPU
    const [, issued] = await Promise.all([
      addFinalizer(context, resourceTypes.recipient, recipient),
      live === undefined ? undefined : issueCredentials(context, recipient, live, secretName),
    ]);
    const credentials = issued?.conflict === false ? issued.credentials : undefined;
    const judged =
      live !== undefined && credentials !== undefined
        ? acceptance(context, recipient, live, credentials)
        : undefined;

    const status = recipientStatus(
      recipient,
      {
        serverName: recipient.spec.serverRef.name,
        serverFound: live !== undefined,
        secretName,
        secretConflict: issued?.conflict === true,
        credentials,
        endpoint: issued?.conflict === false ? issued.endpoint : undefined,
        unknownShares: judged?.unknownShares ?? [],
        acceptedByServer: judged?.accepted ?? false,
        refusal: exclusions.get(key),
      },
      now,
    );
    const next = credentials ? nextCredentialsEvent(credentials, now) : undefined;
    const requeue = next ? { requeueAfterMs: next.getTime() - now.getTime() + 500 } : {};
    const ready = status.conditions?.find((condition) => condition.type === "Ready");
    if (isFreshlyPending(recipient, ready?.reason, now)) {
      // the server's configuration is usually written within a moment; a status saying "pending"
      // first would double the status writes of a large batch of new recipients
      return { requeueAfterMs: Math.min(requeue.requeueAfterMs ?? pendingGraceMs, pendingGraceMs) };
    }
    // a thousand recipients becoming ready make no thousand events; problems do
    await reportStatus(context, resourceTypes.recipient, recipient, status);
    return requeue;
  };
}
