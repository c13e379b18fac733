// Reconciles a DeltaRecipient: keeps its token (made once, rotated on request) and profile in its
// credential Secret (a federated recipient's: a profile template, no token), asks its server to
// re-render when that changes, and reports whether the server's written configuration accepts the
// current token (or federation policy) with the current grants.
import { isDeepStrictEqual } from "node:util";
import type { V1Secret } from "@kubernetes/client-node";
import { sealActivation } from "../../server/auth/activationSeal.ts";
import { serverDefaults } from "../api/deltaSharingServer.ts";
import type { DeltaRecipient, DeltaSharingServer } from "../api/kinds.ts";
import { isConflict, isNotFound } from "../kube/client.ts";
import { type KubeObject, keyOf } from "../kube/objects.ts";
import { objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import { type ActivationStatus, planActivation } from "../render/activation.ts";
import { readyPending } from "../render/conditions.ts";
import { judgeLoading, writtenConfigSha256 } from "../render/configLoading.ts";
import {
  profileTokenOf,
  renderCredentialSecret,
  renderProfile,
  type SecretLike,
} from "../render/credentialSecret.ts";
import {
  acceptedTokens,
  type Credentials,
  nextCredentialsEvent,
  planCredentials,
  type TokenRecord,
} from "../render/credentials.ts";
import { readCredentials, recordedCredentials, withCredentials } from "../render/credentialsRecord.ts";
import { parseDuration } from "../render/duration.ts";
import { profileEndpoint } from "../render/endpoint.ts";
import { renderFederatedProfileSecret } from "../render/federatedProfile.ts";
import { configSecretName, credentialSecretName, serverWorkloadName } from "../render/names.ts";
import { isControlledBy } from "../render/ownerReference.ts";
import { renderRecipientConfig } from "../render/recipientConfig.ts";
import { recipientStatus } from "../render/recipientStatus.ts";
import { selectServedShares } from "../render/servedShares.ts";
import { appliedConfigOf, federationFingerprint, grantsFingerprint } from "./appliedConfig.ts";
import { addFinalizer, removeFinalizer, writeGuarded, writeStatus } from "./apply.ts";
import type { ReconcileContext, Reconciler } from "./context.ts";
import { serverKeyOf } from "./dependents.ts";
import { reportStatus } from "./report.ts";
import type { Exclusions } from "./serverReconciler.ts";

const changeEvents = {
  issued: ["TokenIssued", "made a token and wrote the profile"],
  reissued: [
    "TokenReissued",
    "the profile Secret was gone: made a new token and wrote the profile; the previous token works until the grace period ends (spec.token.revokePrevious ends it at once)",
  ],
  previousRevoked: ["PreviousTokenRevoked", "spec.token.revokePrevious: the previous token is revoked"],
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

/** The token the recipient's status says its (now missing) profile Secret held. */
function lostToken(status: DeltaRecipient["status"], secretName: string): TokenRecord | undefined {
  if (status?.tokenSha256 === undefined || status.credentialSecretName !== secretName) return undefined;
  return {
    sha256: status.tokenSha256,
    ...(status.tokenExpiresAt !== undefined ? { expiresAt: status.tokenExpiresAt } : {}),
  };
}

/** A Warning event while the token has less than the server's expiryWarning left; when to look again. */
function warnOfExpiry(
  context: ReconcileContext,
  recipient: DeltaRecipient,
  server: DeltaSharingServer,
  credentials: Credentials,
  secretName: string,
  now: Date,
): Date | undefined {
  const { namespace, name } = recipient.metadata;
  context.metrics.setTokenExpiry(namespace ?? "", name, credentials.expiresAt);
  if (credentials.expiresAt === undefined) return undefined;
  const expiresAt = Date.parse(credentials.expiresAt);
  const warnAt =
    expiresAt - parseDuration(server.spec.tokens?.expiryWarning ?? serverDefaults.tokenExpiryWarning);
  if (expiresAt <= now.getTime()) return undefined;
  if (warnAt > now.getTime()) return new Date(warnAt);
  context.events.record(
    recipient,
    "Warning",
    "TokenExpiringSoon",
    `the token in Secret ${secretName} expires at ${credentials.expiresAt}; raise spec.token.rotation for a new one`,
  );
  return undefined;
}

type Issued =
  | { conflict: true }
  | { conflict: false; credentials: Credentials | undefined; endpoint: string };

async function issueCredentials(
  context: ReconcileContext,
  recipient: DeltaRecipient,
  server: DeltaSharingServer,
  secretName: string,
): Promise<Issued> {
  const namespace = recipient.metadata.namespace;
  let secret: KubeObject | undefined = context.caches.secrets.get(keyOf(namespace, secretName));
  const endpoint = profileEndpoint(server);
  // the status as last read or written: the Secret and the recipient come through watches of their
  // own, so either may lag behind the other in the cache; before a recorded token is given up, or
  // a Secret's token is judged foreign, both are read fresh
  let stored = recipient.status;
  let readFresh = false;
  const readBoth = async () => {
    readFresh = true;
    const [fresh, current] = await Promise.all([
      context.client.get<DeltaRecipient>(
        objectPath(resourceTypes.recipient, namespace, recipient.metadata.name),
      ),
      context.client
        .get<KubeObject>(objectPath(resourceTypes.secret, namespace, secretName))
        .catch((error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        }),
    ]);
    stored = fresh.status;
    secret = current;
  };
  for (let attempt = 0; ; attempt++) {
    if (secret !== undefined && isControlledBy(secret, recipient) !== true) return { conflict: true };
    const federation = recipient.spec.federation;
    if (federation !== undefined) {
      // no token of ours: the Secret holds the profile template, and the status no token
      const desired = renderFederatedProfileSecret(recipient, endpoint, federation);
      try {
        await writeGuarded(context, resourceTypes.secret, desired, secret);
      } catch (error) {
        if (secret !== undefined || !isConflict(error) || attempt > 0) throw error;
        secret = await context.client.get<KubeObject>(
          objectPath(resourceTypes.secret, namespace, secretName),
        );
        continue;
      }
      return { conflict: false, credentials: undefined, endpoint };
    }
    let token = profileTokenOf(secret as SecretLike | undefined);
    let recorded = readCredentials(token, stored);
    const doubtful = recorded === undefined && (token !== undefined || stored?.tokenSha256 !== undefined);
    if (doubtful && !readFresh) {
      await readBoth();
      if (secret !== undefined && isControlledBy(secret, recipient) !== true) return { conflict: true };
      token = profileTokenOf(secret as SecretLike | undefined);
      recorded = readCredentials(token, stored);
    }
    const plan = planCredentials(recorded, recipient.spec.token, context.now(), context.makeToken, {
      defaultLifetime: server.spec.tokens?.defaultLifetime ?? serverDefaults.tokenLifetime,
      // a deleted profile Secret: its token (recorded in the status) keeps its grace period
      lost: secret === undefined ? lostToken(stored, secretName) : undefined,
    });
    if (recorded === undefined && token !== undefined && stored?.tokenSha256 !== undefined) {
      context.events.record(
        recipient,
        "Warning",
        "CredentialSecretChanged",
        `Secret ${secretName} no longer holds the token this recipient was given; a new one replaces it`,
      );
    }
    // the token's life goes into the status before the token goes into the Secret: a token any
    // Secret holds is always one the status records, whenever the operator stops
    let record = withCredentials(stored, plan.credentials);
    if (!isDeepStrictEqual(recordedCredentials(record), recordedCredentials(stored))) {
      if (record.tokenSha256 !== stored?.tokenSha256 && record.conditions !== undefined) {
        const message = "a new token was issued; waiting for every ready server pod to load it";
        record = { ...record, conditions: readyPending(record.conditions, message, context.now()) };
      }
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
      await readBoth();
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

/**
 * The recipient's activation link; a newly issued one is recorded in the status at once (the
 * server's configuration is rendered from there) and the server asked to render it.
 */
async function currentActivation(
  context: ReconcileContext,
  recipient: DeltaRecipient,
  issued: { credentials: Credentials; endpoint: string },
  now: Date,
): Promise<ActivationStatus | undefined> {
  const profile = JSON.parse(renderProfile(issued.endpoint, issued.credentials)) as object;
  const current = recipient.status?.activation;
  const planned = planActivation(
    recipient.metadata.name,
    recipient.spec.activation,
    current,
    issued.credentials,
    profile,
    issued.endpoint,
    now,
    sealActivation,
  );
  if (planned !== undefined && planned !== current) {
    // the credentials as issueCredentials just recorded them, not the cache's older copy
    const status = { ...withCredentials(recipient.status, issued.credentials), activation: planned };
    await writeStatus(context, resourceTypes.recipient, recipient, status);
    context.enqueue.serverSoon(serverKeyOf(recipient));
    context.events.record(
      recipient,
      "Normal",
      "ActivationLinkIssued",
      `a one-time link until ${planned.expiresAt}`,
    );
  }
  return planned;
}

/** Unknown grants, and whether the server's written configuration holds this token and these grants. */
function acceptance(
  context: ReconcileContext,
  recipient: DeltaRecipient,
  server: DeltaSharingServer,
  credentials: Credentials | undefined,
) {
  const { caches } = context;
  const { served } = selectServedShares(server, caches.shares.list());
  const servedNames = new Map(served.map(({ rendered }) => [rendered.name.toLowerCase(), rendered.name]));
  const expected = renderRecipientConfig(recipient, credentials, servedNames);
  const namespace = recipient.metadata.namespace;
  const configSecret = caches.secrets.get(keyOf(namespace, configSecretName(server))) as V1Secret | undefined;
  const applied = appliedConfigOf(configSecret).recipients.get(recipient.metadata.name);
  // exactly the tokens it should accept: a revoked previous token still there is not done
  const wanted = credentials === undefined ? [] : acceptedTokens(credentials).map((token) => token.sha256);
  const wayIn =
    credentials === undefined
      ? applied?.federation === federationFingerprint(expected.config)
      : applied !== undefined &&
        applied.tokens.size === wanted.length &&
        wanted.every((sha256) => applied.tokens.has(sha256));
  const accepted = wayIn && applied?.shares === grantsFingerprint(expected.config);
  const loading = judgeLoading(
    server,
    caches.deployments.get(keyOf(namespace, serverWorkloadName(server))),
    context.serving.report(serverKeyOf(recipient)),
    writtenConfigSha256(configSecret),
  );
  return { unknownShares: expected.unknownShares, accepted, loading };
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
      context.metrics.setTokenExpiry(recipient.metadata.namespace ?? "", recipient.metadata.name, undefined);
      return {};
    }
    const now = context.now();
    const secretName = credentialSecretName(recipient);
    // independent writes, made together: reconciles wait on the API server, not on CPU
    const [, issued] = await Promise.all([
      addFinalizer(context, resourceTypes.recipient, recipient),
      live === undefined ? undefined : issueCredentials(context, recipient, live, secretName),
    ]);
    const written = issued?.conflict === false;
    const federated = written && recipient.spec.federation !== undefined;
    const credentials = issued?.conflict === false ? issued.credentials : undefined;
    const activation =
      issued?.conflict === false && issued.credentials !== undefined
        ? await currentActivation(context, recipient, { ...issued, credentials: issued.credentials }, now)
        : undefined;
    const judged =
      live !== undefined && (credentials !== undefined || federated)
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
        federated,
        endpoint: issued?.conflict === false ? issued.endpoint : undefined,
        unknownShares: judged?.unknownShares ?? [],
        acceptedByServer: judged?.accepted ?? false,
        loading: judged?.loading,
        refusal: exclusions.get(key),
        activation,
      },
      now,
    );
    const warnAt =
      credentials && live ? warnOfExpiry(context, recipient, live, credentials, secretName, now) : undefined;
    const changesAt = credentials ? nextCredentialsEvent(credentials, now) : undefined;
    const next = [changesAt, warnAt]
      .filter((time): time is Date => time !== undefined)
      .sort((a, b) => a.getTime() - b.getTime())[0];
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
