// Writing objects: server-side apply with the operator's one field manager for rendered objects,
// status through the status subresource, finalizers by JSON patch. Writes that would change
// nothing (judged against the cache) are skipped.
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { group } from "../api/group.ts";
import type { KubeObject } from "../kube/objects.ts";
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from "../kube/resourceTypes.ts";
import type { ReconcileContext } from "./context.ts";
import { isSubset } from "./subset.ts";

export const revokeFinalizer = `${group}/revoke-access`;
export const renderedHashAnnotation = `${group}/rendered-hash`;

export type WriteOutcome = "created" | "updated" | "unchanged" | "deferred";

interface Rendered {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
}

// The hash of what was rendered, kept on the object: a field the operator stops rendering (an
// annotation, a previous token) changes the hash, which a comparison of present fields alone
// would miss; a field changed by hand fails the comparison. Either way the object is written.
function withRenderedHash<T extends Rendered>(desired: T): T {
  const hash = createHash("sha256").update(JSON.stringify(desired)).digest("hex").slice(0, 32);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata?.annotations, [renderedHashAnnotation]: hash },
    },
  };
}

function upToDate(desired: Rendered, cached: object | undefined): boolean {
  return cached !== undefined && isSubset(desired, cached);
}

function nameOf(object: Rendered): { name: string; namespace: string } {
  const name = object.metadata?.name;
  const namespace = object.metadata?.namespace;
  if (name === undefined || namespace === undefined)
    throw new Error("a rendered object needs a name and namespace");
  return { name, namespace };
}

/** Server-side applies a rendered object unless the cached copy already holds all of it. */
export async function applyRendered(
  context: ReconcileContext,
  type: ResourceType,
  rendered: Rendered,
  cached: object | undefined,
): Promise<WriteOutcome> {
  const desired = withRenderedHash(rendered);
  if (upToDate(desired, cached)) return "unchanged";
  const { name, namespace } = nameOf(desired);
  await context.client.apply(objectPath(type, namespace, name), desired);
  context.metrics.writes.inc({ resource: type.plural });
  return cached === undefined ? "created" : "updated";
}

/**
 * Writes an object holding state that must never be replaced by a stale view (a token, a signing
 * key): created only if absent (409 when the cache was behind), updated only at the cached
 * resourceVersion (409 when it moved). Either conflict fails the reconcile, which is retried
 * once the cache has caught up. Returns the object as written, when it was.
 */
export async function writeGuarded<T extends KubeObject>(
  context: ReconcileContext,
  type: ResourceType,
  rendered: Rendered,
  cached: KubeObject | undefined,
  options: { deferUpdate?: boolean } = {},
): Promise<{ outcome: WriteOutcome; written?: T }> {
  const desired = withRenderedHash(rendered);
  const { name, namespace } = nameOf(desired);
  const path = objectPath(type, namespace, name);
  // a cache still showing what this process replaced (or nothing, after it created the object)
  // is behind: judge by what was written instead
  const last = guardedWrites.get(path);
  const behind =
    last !== undefined &&
    (cached === undefined
      ? last.replaced === undefined
      : last.replaced === cached.metadata.resourceVersion &&
        last.written.metadata.uid === cached.metadata.uid);
  const current = behind ? last?.written : cached;
  try {
    if (current === undefined) {
      const written = await context.client.create<T>(collectionPath(type, namespace), desired);
      remember(guardedWrites, path, { replaced: undefined, written });
      context.metrics.writes.inc({ resource: type.plural });
      return { outcome: "created", written };
    }
    if (upToDate(desired, current)) return { outcome: "unchanged" };
    if (options.deferUpdate) return { outcome: "deferred" };
    const guarded = {
      ...desired,
      metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion },
    };
    const written = await context.client.apply<T>(path, guarded);
    remember(guardedWrites, path, { replaced: current.metadata.resourceVersion, written });
    context.metrics.writes.inc({ resource: type.plural });
    return { outcome: "updated", written };
  } catch (error) {
    guardedWrites.delete(path);
    throw error;
  }
}

// What this process last wrote, by object uid: the cache lags behind a write, and a reconcile
// triggered in between would otherwise write the same status or finalizer again.
const writtenStatus = new Map<string, unknown>();
const guardedWrites = new Map<string, { replaced: string | undefined; written: KubeObject }>();
const finalized = new Set<string>();
const rememberedLimit = 100_000;

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= rememberedLimit) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

export async function writeStatus<Status>(
  context: ReconcileContext,
  type: ResourceType,
  object: KubeObject & { status?: Status },
  status: Status,
): Promise<boolean> {
  const uid = object.metadata.uid ?? "";
  if (isDeepStrictEqual(object.status ?? {}, status) || isDeepStrictEqual(writtenStatus.get(uid), status))
    return false;
  await context.client.apply(objectPath(type, object.metadata.namespace, object.metadata.name, "status"), {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
    status,
  });
  remember(writtenStatus, uid, status);
  context.metrics.writes.inc({ resource: `${type.plural}/status` });
  return true;
}

export async function addFinalizer(
  context: ReconcileContext,
  type: ResourceType,
  object: KubeObject,
): Promise<void> {
  const finalizers = object.metadata.finalizers;
  const uid = object.metadata.uid ?? "";
  if (finalizers?.includes(revokeFinalizer) || finalized.has(uid)) return;
  const path = objectPath(type, object.metadata.namespace, object.metadata.name);
  const operations =
    finalizers === undefined
      ? [
          { op: "test", path: "/metadata/resourceVersion", value: object.metadata.resourceVersion },
          { op: "add", path: "/metadata/finalizers", value: [revokeFinalizer] },
        ]
      : [{ op: "add", path: "/metadata/finalizers/-", value: revokeFinalizer }];
  await context.client.jsonPatch(path, operations);
  if (finalized.size >= rememberedLimit) finalized.delete(finalized.values().next().value as string);
  finalized.add(uid);
  context.metrics.writes.inc({ resource: type.plural });
}

export async function removeFinalizer(
  context: ReconcileContext,
  type: ResourceType,
  object: KubeObject,
): Promise<void> {
  const index = object.metadata.finalizers?.indexOf(revokeFinalizer) ?? -1;
  if (index < 0) return;
  const path = objectPath(type, object.metadata.namespace, object.metadata.name);
  await context.client.jsonPatch(path, [
    { op: "test", path: `/metadata/finalizers/${index}`, value: revokeFinalizer },
    { op: "remove", path: `/metadata/finalizers/${index}` },
  ]);
  context.metrics.writes.inc({ resource: type.plural });
}

export async function deleteObject(
  context: ReconcileContext,
  type: ResourceType,
  object: KubeObject,
): Promise<void> {
  await context.client.delete(objectPath(type, object.metadata.namespace, object.metadata.name));
  context.metrics.writes.inc({ resource: type.plural });
}
