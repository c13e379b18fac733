// The three controllers wired together: informers feed one work queue per kind, events on child
// objects map back to the custom resource they belong to, and workers run the reconcilers.
// Everything stops when the signal aborts: queues close, workers finish the key in hand.
import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import type { DeltaRecipient, DeltaShare, DeltaSharingServer } from "./api/kinds.ts";
import { isConflict, type KubeClient } from "./kube/client.ts";
import { Informer } from "./kube/informer.ts";
import { type KubeObject, keyOf, objectKey } from "./kube/objects.ts";
import { type ResourceType, resourceTypes } from "./kube/resourceTypes.ts";
import type { Cached, Caches, ReconcileContext, Reconciler } from "./reconcile/context.ts";
import { recipientsOf, serverKeyOf, sharesOf } from "./reconcile/dependents.ts";
import { recipientReconciler } from "./reconcile/recipientReconciler.ts";
import { type Exclusions, newSigningKey, serverReconciler } from "./reconcile/serverReconciler.ts";
import { shareReconciler } from "./reconcile/shareReconciler.ts";
import { writtenConfigSha256 } from "./render/configLoading.ts";
import { componentLabel, configSecretName, managedSelector, serverLabel } from "./render/names.ts";
import type { EventRecorder } from "./runtime/events.ts";
import type { OperatorMetrics } from "./runtime/metrics.ts";
import { WorkQueue } from "./runtime/workQueue.ts";
import { ServingTracker } from "./serving/servingTracker.ts";

export interface ControllerOptions {
  client: KubeClient;
  logger: Logger;
  metrics: OperatorMetrics;
  events: EventRecorder;
  /** Watch one namespace, or all when undefined. */
  namespace?: string;
  defaultImage: string;
  /** The ClusterRole servers with activation links are bound to ("" for none). */
  activationClusterRole: string;
  /** Workers per kind. */
  concurrency: number;
  /** Every object is reconciled again this often even without a change. */
  resyncMs: number;
}

type Kind = "server" | "share" | "recipient";

// Changes to a server's shares and recipients that arrive within this window are written in one
// configuration: a thousand new recipients make tens of writes of the config Secret, not a thousand.
const configBatchMs = 300;

// a recipient's token hashes and expiries, in its status, go into the server's configuration
const tokenRecord = (object: KubeObject) => {
  const status = (object as { status?: Record<string, unknown> }).status;
  return [
    status?.tokenSha256,
    status?.tokenExpiresAt,
    status?.previousTokenSha256,
    status?.previousTokenExpiresAt,
  ];
};

const serverInputsChanged = (object: KubeObject, previous: KubeObject) =>
  object.metadata.generation !== previous.metadata.generation ||
  !isDeepStrictEqual(tokenRecord(object), tokenRecord(previous)) ||
  object.metadata.deletionTimestamp !== previous.metadata.deletionTimestamp ||
  !isDeepStrictEqual(object.metadata.finalizers, previous.metadata.finalizers);

function controllerOwner(object: KubeObject, kind: string): string | undefined {
  const owner = object.metadata.ownerReferences?.find(
    (reference) => reference.controller === true && reference.kind === kind,
  );
  return owner === undefined ? undefined : keyOf(object.metadata.namespace, owner.name);
}

export interface Controllers {
  caches: Caches;
  synced: () => boolean;
  /** Resolves once every informer has listed. */
  waitForSync: () => Promise<void>;
  done: Promise<void>;
}

export function startControllers(options: ControllerOptions, signal: AbortSignal): Controllers {
  const { client, logger, metrics } = options;
  const queues: Record<Kind, WorkQueue> = {
    server: new WorkQueue(),
    share: new WorkQueue(),
    recipient: new WorkQueue(),
  };
  const enqueue = {
    server: (key: string) => queues.server.add(key),
    serverSoon: (key: string) => queues.server.addAfter(key, configBatchMs),
    share: (key: string) => queues.share.add(key),
    recipient: (key: string) => queues.recipient.add(key),
  };
  const informer = <T extends KubeObject>(
    name: string,
    type: ResourceType,
    handlers: ConstructorParameters<typeof Informer<T>>[0]["handlers"],
    labelSelector?: string,
  ) =>
    new Informer<T>({
      name,
      client,
      type,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      handlers,
      logger,
      onRestart: (cause) => metrics.watchRestarts.inc({ resource: type.plural, cause }),
    });

  // the caches are filled before any handler runs, so handlers may read them
  const caches = {} as Caches;
  const enqueueDependents = (serverKey: string) => {
    for (const share of sharesOf(caches, serverKey)) enqueue.share(objectKey(share));
    for (const recipient of recipientsOf(caches, serverKey)) enqueue.recipient(objectKey(recipient));
  };
  const serverKeyOfChild = (object: KubeObject) => {
    const serverName = object.metadata.labels?.[serverLabel];
    return serverName === undefined ? undefined : keyOf(object.metadata.namespace, serverName);
  };
  const serving = new ServingTracker({
    podsOf: (serverKey) => [...caches.pods.list()].filter((pod) => serverKeyOfChild(pod) === serverKey),
    writtenSha256: (serverKey) => {
      const server = caches.servers.get(serverKey);
      if (server === undefined) return undefined;
      return writtenConfigSha256(
        caches.secrets.get(keyOf(server.metadata.namespace, configSecretName(server))),
      );
    },
    changed: (serverKey) => {
      enqueue.server(serverKey);
      enqueueDependents(serverKey);
    },
  });
  signal.addEventListener("abort", () => serving.stop(), { once: true });
  const childHandlers = <T extends KubeObject>() => {
    const touched = (object: T, previous?: T) => {
      const owner = controllerOwner(object, "DeltaSharingServer");
      if (owner === undefined) return;
      enqueue.server(owner);
      // a Deployment's availability is part of every share's and recipient's Ready
      const status = (each: T | undefined) => (each as { status?: unknown } | undefined)?.status;
      if (object.kind === "Deployment" && !isDeepStrictEqual(status(object), status(previous))) {
        enqueueDependents(owner);
        serving.poke(owner);
      }
    };
    return { added: touched, updated: touched, deleted: touched };
  };

  caches.servers = informer<DeltaSharingServer>("servers", resourceTypes.server, {
    added: (server) => {
      enqueue.server(objectKey(server));
      enqueueDependents(objectKey(server));
    },
    updated: (server, previous) => {
      enqueue.server(objectKey(server));
      if (serverInputsChanged(server, previous)) enqueueDependents(objectKey(server));
    },
    deleted: (server) => {
      serving.forget(objectKey(server));
      enqueueDependents(objectKey(server));
    },
  });
  const dependentHandlers = <T extends DeltaShare | DeltaRecipient>(own: (key: string) => void) => ({
    added: (object: T) => {
      own(objectKey(object));
      enqueue.serverSoon(serverKeyOf(object));
    },
    updated: (object: T, previous: T) => {
      own(objectKey(object));
      if (serverInputsChanged(object, previous)) enqueue.serverSoon(serverKeyOf(object));
    },
    deleted: (object: T) => enqueue.serverSoon(serverKeyOf(object)),
  });
  caches.shares = informer<DeltaShare>(
    "shares",
    resourceTypes.share,
    dependentHandlers<DeltaShare>(enqueue.share),
  );
  caches.recipients = informer<DeltaRecipient>(
    "recipients",
    resourceTypes.recipient,
    dependentHandlers<DeltaRecipient>(enqueue.recipient),
  );
  const secretTouched = (secret: KubeObject, previous?: KubeObject) => {
    const before = previous as { data?: unknown } | undefined;
    const after = secret as { data?: unknown };
    const dataChanged = previous === undefined || !isDeepStrictEqual(before?.data, after.data);
    const serverName = secret.metadata.labels?.[serverLabel];
    const serverKey = serverName === undefined ? undefined : keyOf(secret.metadata.namespace, serverName);
    if (secret.metadata.labels?.[componentLabel] === "server") {
      if (serverKey === undefined) return;
      enqueue.serverSoon(serverKey);
      if (dataChanged) {
        enqueueDependents(serverKey);
        serving.poke(serverKey);
      }
      return;
    }
    const recipient = controllerOwner(secret, "DeltaRecipient");
    if (recipient !== undefined) enqueue.recipient(recipient);
    if (serverKey !== undefined && dataChanged) enqueue.serverSoon(serverKey);
  };
  caches.secrets = informer<Cached<KubeObject>>(
    "secrets",
    resourceTypes.secret,
    {
      added: (secret) => secretTouched(secret),
      updated: secretTouched,
      deleted: (secret) => secretTouched(secret),
    },
    managedSelector,
  ) as Caches["secrets"];
  caches.serviceAccounts = informer(
    "serviceaccounts",
    resourceTypes.serviceAccount,
    childHandlers(),
    managedSelector,
  );
  caches.services = informer("services", resourceTypes.service, childHandlers(), managedSelector);
  caches.deployments = informer("deployments", resourceTypes.deployment, childHandlers(), managedSelector);
  caches.podDisruptionBudgets = informer(
    "poddisruptionbudgets",
    resourceTypes.podDisruptionBudget,
    childHandlers(),
    managedSelector,
  );

  caches.ingresses = informer("ingresses", resourceTypes.ingress, childHandlers(), managedSelector);
  const podTouched = (pod: KubeObject) => {
    const serverKey = serverKeyOfChild(pod);
    if (serverKey !== undefined) serving.poke(serverKey);
  };
  caches.pods = informer<Cached<KubeObject>>(
    "pods",
    resourceTypes.pod,
    { added: podTouched, updated: podTouched, deleted: podTouched },
    `${managedSelector},${componentLabel}=server`,
  ) as Caches["pods"];

  const exclusions: Exclusions = new Map();
  const context: ReconcileContext = {
    client,
    caches,
    events: options.events,
    metrics,
    serving,
    logger,
    enqueue,
    now: () => new Date(),
    makeToken: () => randomBytes(32).toString("base64url"),
    makeSigningKey: newSigningKey,
    defaultImage: options.defaultImage,
    activationClusterRole: options.activationClusterRole,
  };
  const reconcilers: Record<Kind, Reconciler> = {
    server: serverReconciler(context, exclusions),
    share: shareReconciler(context, exclusions),
    recipient: recipientReconciler(context, exclusions),
  };

  const all = Object.values(caches) as Informer<KubeObject>[];
  const informersDone = all.map((each) => each.run(signal));
  const waitForSync = () => Promise.all(all.map((each) => each.waitForSync())).then(() => undefined);

  const work = async (kind: Kind) => {
    const queue = queues[kind];
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      metrics.queueDepth.set({ kind }, queue.length);
      const stopTimer = metrics.reconcileSeconds.startTimer({ kind });
      try {
        const result = await reconcilers[kind](key);
        queue.forget(key);
        metrics.reconciles.inc({ kind, result: "success" });
        if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        metrics.reconciles.inc({ kind, result: "error" });
        const retryInMs = queue.retry(key);
        const level = isConflict(error) ? "debug" : "warn";
        logger[level](
          { kind, key, retryInMs, err: error instanceof Error ? error.message : String(error) },
          "reconcile failed",
        );
      } finally {
        stopTimer();
        queue.done(key);
      }
    }
  };

  const resync = setInterval(() => {
    for (const server of caches.servers.list()) enqueue.server(objectKey(server));
    for (const share of caches.shares.list()) enqueue.share(objectKey(share));
    for (const recipient of caches.recipients.list()) enqueue.recipient(objectKey(recipient));
  }, options.resyncMs);
  resync.unref();

  const done = (async () => {
    const stopped = new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    // reconciling before every cache is filled would judge from half the facts
    await Promise.race([waitForSync(), stopped]);
    const workers = signal.aborted
      ? []
      : (["server", "share", "recipient"] as Kind[]).flatMap((kind) =>
          Array.from({ length: options.concurrency }, () => work(kind)),
        );
    if (!signal.aborted) logger.info({ informers: all.length }, "caches synced; reconciling");
    await stopped;
    clearInterval(resync);
    for (const queue of Object.values(queues)) queue.shutDown();
    await Promise.all([...workers, ...informersDone]);
  })();

  return { caches, synced: () => all.every((each) => each.synced), waitForSync, done };
}
