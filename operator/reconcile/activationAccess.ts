// What a server's pods need to spend activation links (render/activationAccess.ts), applied while a
// recipient has a link; and the Leases those pods create when they spend a code, deleted once the
// link has expired: until then a Lease is what keeps the link spent (deleting it would re-arm the
// link), after that the server refuses the link by its expiry alone and the Lease is clutter. The
// server may only create and get Leases; the operator lists and deletes them.
import type { V1Deployment } from "@kubernetes/client-node";
import { activationLeasePrefix, spentLeaseAnnotations } from "../../server/auth/activationLeases.ts";
import type { DeltaRecipient, DeltaSharingServer } from "../api/kinds.ts";
import { isNotFound } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { collectionPath, objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import {
  activationRoleName,
  renderActivationRole,
  renderActivationRoleBinding,
} from "../render/activationAccess.ts";
import { mountsKubeApi } from "../render/deployment.ts";
import { managedSelector } from "../render/names.ts";
import { applyRendered } from "./apply.ts";
import type { ReconcileContext } from "./context.ts";

// a server that keeps serving links is looked at again at least this often, for Leases of links
// whose expiry the operator did not see coming (a spec changed meanwhile)
const maxWaitMs = 3_600_000;

function expiryOf(lease: KubeObject): number | undefined {
  const text = lease.metadata.annotations?.[spentLeaseAnnotations.linkExpiresAt];
  const time = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** Deletes the server's spent Leases whose link expired; returns how long until it should look again. */
export async function deleteExpiredLeases(
  context: ReconcileContext,
  server: DeltaSharingServer,
  recipients: DeltaRecipient[],
): Promise<number> {
  const namespace = server.metadata.namespace;
  const now = context.now().getTime();
  const leases = await context.client.list<KubeObject>(collectionPath(resourceTypes.lease, namespace), {
    labelSelector: managedSelector,
  });
  const upcoming: number[] = [];
  for (const lease of leases.items) {
    if (!lease.metadata.name.startsWith(activationLeasePrefix)) continue;
    const expiry = expiryOf(lease);
    // a Lease without a readable expiry is not ours to judge: kept
    if (expiry === undefined) continue;
    if (expiry > now) {
      upcoming.push(expiry);
      continue;
    }
    try {
      await context.client.delete(objectPath(resourceTypes.lease, namespace, lease.metadata.name));
      context.metrics.writes.inc({ resource: resourceTypes.lease.plural });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  for (const recipient of recipients) {
    const expiresAt = recipient.status?.activation?.expiresAt;
    const time = expiresAt === undefined ? Number.NaN : Date.parse(expiresAt);
    if (time > now) upcoming.push(time);
  }
  const next = Math.min(now + maxWaitMs, ...upcoming);
  return next - now + 1000;
}

// The Role and RoleBinding exist while the pods get the API token; they are removed before the
// pods lose it, so a failed delete is retried while the stored Deployment still shows the token.
export async function applyActivationAccess(
  context: ReconcileContext,
  server: DeltaSharingServer,
  deployment: V1Deployment | undefined,
  activationLinks: boolean,
): Promise<void> {
  if (activationLinks) {
    await applyRendered(context, resourceTypes.role, renderActivationRole(server), undefined);
    await applyRendered(context, resourceTypes.roleBinding, renderActivationRoleBinding(server), undefined);
    return;
  }
  if (!mountsKubeApi(deployment)) return;
  for (const type of [resourceTypes.roleBinding, resourceTypes.role]) {
    await context.client
      .delete(objectPath(type, server.metadata.namespace, activationRoleName(server)))
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
  }
}
