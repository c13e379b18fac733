// Reconciles a DeltaSharingServer: renders its configuration from the shares and recipients that
// name it, writes the config Secret, ServiceAccount, Service, Deployment and PodDisruptionBudget,
// releases deleted shares and recipients once the configuration no longer holds them, and
// reports status.
import { randomBytes } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import type { RecipientConfig } from "../../server/config/schema.ts";
import type { DeltaRecipient, DeltaShare, DeltaSharingServer } from "../api/kinds.ts";
import { isConflict, isNotFound } from "../kube/client.ts";
import { type KubeObject, keyOf, objectKey } from "../kube/objects.ts";
import { objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import { servesActivationLinks } from "../render/activationAccess.ts";
import { everyPodServes, judgeLoading, writtenConfigSha256 } from "../render/configLoading.ts";
import { configProblems } from "../render/configProblems.ts";
import { renderConfigSecret, signingKeyOf } from "../render/configSecret.ts";
import { profileTokenOf } from "../render/credentialSecret.ts";
import type { Credentials } from "../render/credentials.ts";
import { readCredentials } from "../render/credentialsRecord.ts";
import { renderDeployment } from "../render/deployment.ts";
import { profileEndpoint } from "../render/endpoint.ts";
import { renderIngress } from "../render/ingress.ts";
import { configSecretName, credentialSecretName, serverWorkloadName } from "../render/names.ts";
import { isControlledBy } from "../render/ownerReference.ts";
import { renderPodDisruptionBudget } from "../render/podDisruptionBudget.ts";
import { renderPodMonitor } from "../render/podMonitor.ts";
import { renderRecipientConfig } from "../render/recipientConfig.ts";
import { selectServedShares } from "../render/servedShares.ts";
import { renderServerConfig, serverConfigText } from "../render/serverConfig.ts";
import { type ConfigOutcome, plural, serverStatus } from "../render/serverStatus.ts";
import { renderService } from "../render/service.ts";
import { renderServiceAccount } from "../render/serviceAccount.ts";
import { shareNameOf } from "../render/shareConfig.ts";
import { settleActivationAccess } from "./activationAccess.ts";
import { appliedConfigOf } from "./appliedConfig.ts";
import { applyRendered, deleteObject, removeFinalizer, revokeFinalizer, writeGuarded } from "./apply.ts";
import type { Cached, ReconcileContext, Reconciler } from "./context.ts";
import { recipientsOf, serverKeyOf, sharesOf } from "./dependents.ts";
import { reportStatus } from "./report.ts";
import { tidySpentLeases } from "./spentLeases.ts";

// A configuration is written at most this often per server: each write is the whole file (up to
// a megabyte) and a reload on every pod, so a burst of changes is gathered into few writes.
const minConfigWriteIntervalMs = 1000;
const lastConfigWrite = new Map<string, number>();

/** Why a share or recipient was left out of its server's configuration, by object key. */
export type Exclusions = Map<string, string>;

export function newSigningKey(): string {
  return randomBytes(32).toString("hex");
}

// cached objects are replaced, never changed, so each Secret version is decoded once
const decoded = new WeakMap<object, string | undefined>();
function tokenOf(secret: V1Secret): string | undefined {
  if (!decoded.has(secret)) decoded.set(secret, profileTokenOf(secret));
  return decoded.get(secret);
}

interface Planned {
  configText: string;
  shares: number;
  recipients: number;
}

// Renders, checks with the server's own rules, and leaves out any share or recipient the server
// would refuse (reported through `exclusions`), until the file passes or only file-wide problems
// remain.
function planConfig(
  context: ReconcileContext,
  server: DeltaSharingServer,
  exclusions: Exclusions,
): Planned | { problem: string } {
  const { caches } = context;
  const { served } = selectServedShares(server, caches.shares.list());
  let shares = served;
  let recipients: { recipient: DeltaRecipient; config: RecipientConfig }[] = [];
  const serverKey = objectKey(server);
  for (let pass = 0; pass < 5; pass++) {
    const servedNames = new Map(shares.map(({ rendered }) => [rendered.name.toLowerCase(), rendered.name]));
    recipients = [];
    for (const recipient of recipientsOf(caches, serverKey)) {
      if (recipient.metadata.deletionTimestamp !== undefined || exclusions.has(objectKey(recipient)))
        continue;
      // a federated recipient's way in is its policy: nothing of ours to wait for in its Secret
      let credentials: Credentials | undefined;
      if (recipient.spec.federation === undefined) {
        const secret = caches.secrets.get(
          keyOf(recipient.metadata.namespace, credentialSecretName(recipient)),
        );
        if (secret === undefined || isControlledBy(secret, recipient) !== true) continue;
        credentials = readCredentials(tokenOf(secret), recipient.status);
        if (credentials === undefined) continue;
      }
      recipients.push({
        recipient,
        config: renderRecipientConfig(recipient, credentials, servedNames).config,
      });
    }
    recipients.sort((a, b) => a.config.name.localeCompare(b.config.name));
    const config = renderServerConfig(
      server,
      shares.map(({ rendered }) => rendered.config),
      recipients.map(({ config: entry }) => entry),
    );
    const problems = configProblems(config);
    if (problems.length === 0) {
      return { configText: serverConfigText(config), shares: shares.length, recipients: recipients.length };
    }
    const fileWide = problems.find((problem) => problem.entry === undefined);
    if (fileWide !== undefined) return { problem: fileWide.message };
    for (const problem of problems) {
      const entry = problem.entry;
      if (entry === undefined) continue;
      const object: KubeObject | undefined =
        entry.list === "shares" ? shares[entry.index]?.share : recipients[entry.index]?.recipient;
      if (object !== undefined && !exclusions.has(objectKey(object)))
        exclusions.set(objectKey(object), problem.message);
    }
    shares = shares.filter(({ share }) => !exclusions.has(objectKey(share)));
  }
  return { problem: "the configuration could not be made valid" };
}

function conflictOf(
  objects: [string, KubeObject | undefined][],
  server: DeltaSharingServer,
): string | undefined {
  for (const [kind, object] of objects) {
    if (object !== undefined && isControlledBy(object, server) !== true) {
      return `${kind} ${object.metadata.name} exists and is not controlled by this DeltaSharingServer`;
    }
  }
  return undefined;
}

// A deleted share or recipient keeps its finalizer until the configuration as stored (read
// fresh, not from the cache, which may lag behind a recent write) no longer holds it.
async function releaseDeleted(
  context: ReconcileContext,
  serverKey: string,
  secretPath: string,
  written: V1Secret | undefined,
): Promise<void> {
  const deleting = [
    ...sharesOf(context.caches, serverKey),
    ...recipientsOf(context.caches, serverKey),
  ].filter(
    (object) =>
      object.metadata.deletionTimestamp !== undefined &&
      object.metadata.finalizers?.includes(revokeFinalizer),
  );
  if (deleting.length === 0) return;
  const storedSecret = written ?? (await context.client.get<V1Secret>(secretPath));
  const stored = appliedConfigOf(storedSecret);
  // what left the configuration is refused only once every ready pod has loaded it
  const podsCaughtUp = everyPodServes(context.serving.report(serverKey), writtenConfigSha256(storedSecret));
  // a share name another live DeltaShare now serves is that share's, not the deleted one's
  const claimed = new Set(
    sharesOf(context.caches, serverKey)
      .filter((share) => share.metadata.deletionTimestamp === undefined)
      .map((share) => shareNameOf(share).toLowerCase()),
  );
  for (const object of deleting) {
    const isShare = object.kind === "DeltaShare";
    const shareName = isShare ? shareNameOf(object as DeltaShare).toLowerCase() : "";
    const held = isShare
      ? stored.shares.has(shareName) && !claimed.has(shareName)
      : stored.recipients.has(object.metadata.name);
    if (held || !podsCaughtUp) continue;
    await removeFinalizer(context, isShare ? resourceTypes.share : resourceTypes.recipient, object);
    context.events.record(
      object,
      "Normal",
      "AccessRevoked",
      "no longer in the server's configuration, and every ready server pod has loaded that configuration",
    );
  }
}

// Recomputes which of this server's shares and recipients its rules refuse, and asks those whose
// refusal changed to report it.
function planWithExclusions(context: ReconcileContext, server: DeltaSharingServer, exclusions: Exclusions) {
  const { caches } = context;
  const key = objectKey(server);
  const previous = new Map(exclusions);
  for (const excluded of exclusions.keys()) {
    const dependent = caches.shares.get(excluded) ?? caches.recipients.get(excluded);
    if (dependent === undefined || serverKeyOf(dependent) === key) exclusions.delete(excluded);
  }
  const plan = planConfig(context, server, exclusions);
  for (const excluded of new Set([...previous.keys(), ...exclusions.keys()])) {
    if (previous.get(excluded) === exclusions.get(excluded)) continue;
    if (caches.shares.get(excluded)) context.enqueue.share(excluded);
    if (caches.recipients.get(excluded)) context.enqueue.recipient(excluded);
  }
  return plan;
}

type Children = ReturnType<typeof childrenOf>;

function childrenOf(context: ReconcileContext, server: DeltaSharingServer) {
  const { caches } = context;
  const namespace = server.metadata.namespace;
  const name = serverWorkloadName(server);
  return {
    configSecret: caches.secrets.get(keyOf(namespace, configSecretName(server))),
    serviceAccount: caches.serviceAccounts.get(keyOf(namespace, name)),
    service: caches.services.get(keyOf(namespace, name)),
    deployment: caches.deployments.get(keyOf(namespace, name)),
    podDisruptionBudget: caches.podDisruptionBudgets.get(keyOf(namespace, name)),
    ingress: caches.ingresses.get(keyOf(namespace, name)),
  };
}

type ConfigWrite =
  | { deferMs: number }
  | { conflict: string }
  | { secretName: string; stored: V1Secret | undefined };

/** Writes the config Secret (at most once a second), or says when to try again. */
async function writeConfig(
  context: ReconcileContext,
  server: DeltaSharingServer,
  plan: Planned,
  cachedSecret: Children["configSecret"],
): Promise<ConfigWrite> {
  const key = objectKey(server);
  let cached: KubeObject | undefined = cachedSecret;
  for (let attempt = 0; ; attempt++) {
    const signingKey = signingKeyOf(cached as V1Secret | undefined) ?? context.makeSigningKey();
    const secret = renderConfigSecret(server, plan.configText, signingKey);
    const sinceLastWrite = Date.now() - (lastConfigWrite.get(key) ?? 0);
    let result: { outcome: string; written?: Cached<V1Secret> };
    try {
      result = await writeGuarded<Cached<V1Secret>>(context, resourceTypes.secret, secret, cached, {
        deferUpdate: sinceLastWrite < minConfigWriteIntervalMs,
      });
    } catch (error) {
      if (cached !== undefined || !isConflict(error) || attempt > 0) throw error;
      // not in the cache of labelled Secrets: someone else's, or ours without its labels (read
      // it, to keep its signing key)
      cached = await context.client.get<KubeObject>(
        objectPath(resourceTypes.secret, secret.metadata.namespace, secret.metadata.name),
      );
      if (isControlledBy(cached, server) !== true) {
        return {
          conflict: `Secret ${secret.metadata.name} exists and is not controlled by this DeltaSharingServer`,
        };
      }
      continue;
    }
    if (result.outcome === "deferred") return { deferMs: minConfigWriteIntervalMs - sinceLastWrite };
    if (result.outcome === "created" || result.outcome === "updated") {
      lastConfigWrite.set(key, Date.now());
      context.events.record(
        server,
        "Normal",
        result.outcome === "created" ? "ConfigCreated" : "ConfigUpdated",
        `configuration with ${plural(plan.shares, "share")} and ${plural(plan.recipients, "recipient")} written to Secret ${secret.metadata.name}`,
      );
    }
    return { secretName: secret.metadata.name, stored: result.written };
  }
}

// Whether each server's PodMonitor was last wanted, as this process saw it: with no cache of
// PodMonitors (their CRD may be missing), one that a spec dropped is deleted on the first reconcile
// after the drop or after this process started, not on every reconcile.
const podMonitorWanted = new Map<string, boolean>();

// Prometheus Operator's CRDs may be missing: a PodMonitor that cannot be written is reported,
// and never keeps the server itself from being reconciled.
async function applyPodMonitor(context: ReconcileContext, server: DeltaSharingServer): Promise<void> {
  const monitor = renderPodMonitor(server);
  const key = objectKey(server);
  if (monitor === undefined) {
    if (podMonitorWanted.get(key) === false) return;
    const path = objectPath(resourceTypes.podMonitor, server.metadata.namespace, serverWorkloadName(server));
    // 404 also when the kind itself is not installed: nothing to remove either way
    await context.client.delete(path).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    podMonitorWanted.set(key, false);
    return;
  }
  podMonitorWanted.set(key, true);
  try {
    await applyRendered(context, resourceTypes.podMonitor, monitor, undefined);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.events.record(server, "Warning", "PodMonitorFailed", `could not write the PodMonitor: ${reason}`);
  }
}

async function applyWorkload(
  context: ReconcileContext,
  server: DeltaSharingServer,
  children: Children,
  activationLinks: boolean,
) {
  await applyRendered(
    context,
    resourceTypes.serviceAccount,
    renderServiceAccount(server),
    children.serviceAccount,
  );
  await applyRendered(context, resourceTypes.service, renderService(server), children.service);
  await settleActivationAccess(context, server, activationLinks);
  const deployment = renderDeployment(server, { defaultImage: context.defaultImage, activationLinks });
  await applyRendered(context, resourceTypes.deployment, deployment, children.deployment);
  await applyPodMonitor(context, server);
  const budget = renderPodDisruptionBudget(server);
  if (budget !== undefined) {
    await applyRendered(context, resourceTypes.podDisruptionBudget, budget, children.podDisruptionBudget);
  } else if (children.podDisruptionBudget !== undefined) {
    await deleteObject(context, resourceTypes.podDisruptionBudget, children.podDisruptionBudget);
  }
  const ingress = renderIngress(server);
  if (ingress !== undefined) {
    await applyRendered(context, resourceTypes.ingress, ingress, children.ingress);
  } else if (children.ingress !== undefined) {
    await deleteObject(context, resourceTypes.ingress, children.ingress);
  }
}

// Everything but status: the config Secret, then (once it is written) the release of deleted
// shares and recipients, and the workload.
async function reconcileObjects(
  context: ReconcileContext,
  server: DeltaSharingServer,
  children: Children,
  plan: Planned | { problem: string },
  activationLinks: boolean,
): Promise<ConfigOutcome | { deferMs: number }> {
  const conflict = conflictOf(
    [
      ["Secret", children.configSecret],
      ["ServiceAccount", children.serviceAccount],
      ["Service", children.service],
      ["Deployment", children.deployment],
      ["PodDisruptionBudget", children.podDisruptionBudget],
      ["Ingress", children.ingress],
    ],
    server,
  );
  if (conflict !== undefined) return { ok: false, reason: "ObjectConflict", message: conflict };
  if ("problem" in plan) return { ok: false, reason: "InvalidConfig", message: plan.problem };
  const written = await writeConfig(context, server, plan, children.configSecret);
  if ("deferMs" in written) return written;
  if ("conflict" in written) return { ok: false, reason: "ObjectConflict", message: written.conflict };
  const secretPath = objectPath(resourceTypes.secret, server.metadata.namespace, written.secretName);
  await releaseDeleted(context, objectKey(server), secretPath, written.stored);
  await applyWorkload(context, server, children, activationLinks);
  return { ok: true, shares: plan.shares, recipients: plan.recipients, configSecretName: written.secretName };
}

export function serverReconciler(context: ReconcileContext, exclusions: Exclusions): Reconciler {
  return async (key) => {
    const { caches } = context;
    const server = caches.servers.get(key);
    if (server === undefined || server.metadata.deletionTimestamp !== undefined) {
      // its shares and recipients release their own finalizers once they see it gone
      for (const dependent of [...sharesOf(caches, key), ...recipientsOf(caches, key)]) {
        if (dependent.kind === "DeltaShare") context.enqueue.share(objectKey(dependent));
        else context.enqueue.recipient(objectKey(dependent));
      }
      return {};
    }
    const children = childrenOf(context, server);
    const plan = planWithExclusions(context, server, exclusions);
    const recipients = recipientsOf(caches, key);
    const activationLinks = servesActivationLinks(recipients);
    const outcome = await reconcileObjects(context, server, children, plan, activationLinks);
    if ("deferMs" in outcome) return { requeueAfterMs: outcome.deferMs };
    const report = context.serving.report(key);
    if (report === undefined) context.serving.poke(key);
    const loading = judgeLoading(
      server,
      children.deployment,
      report,
      writtenConfigSha256(caches.secrets.get(keyOf(server.metadata.namespace, configSecretName(server)))),
    );
    const endpoint = profileEndpoint(server);
    const status = serverStatus(server, outcome, children.deployment, loading, endpoint, context.now());
    const ready = await reportStatus(context, resourceTypes.server, server, status);
    if (ready !== undefined) context.events.record(server, "Normal", ready.reason, ready.message);
    const leasesAgainMs = await tidySpentLeases(context, server, recipients, activationLinks);
    return leasesAgainMs !== undefined ? { requeueAfterMs: leasesAgainMs } : {};
  };
}
