// The Leases a server's pods create when they spend an activation code are deleted once the link
// has surely expired: until then a Lease is what keeps the link spent (deleting it would re-arm
// the link), after that the server refuses the link by its expiry alone and the Lease is clutter.
// "Surely": the later of the expiry the Lease names and the one the recipient's status records for
// that code, plus a grace for clocks that disagree. The server may only create and get Leases; the
// operator lists and deletes them, while the server has links and until the last known one expired.
import {
  activationLeaseName,
  activationLeasePrefix,
  spentLeaseAnnotations,
} from "../../server/auth/activationLeases.ts";
import type { DeltaRecipient, DeltaSharingServer } from "../api/kinds.ts";
import { isNotFound } from "../kube/client.ts";
import { type KubeObject, objectKey } from "../kube/objects.ts";
import { collectionPath, objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import { managedSelector } from "../render/names.ts";
import type { ReconcileContext } from "./context.ts";

const clockGraceMs = 10 * 60_000;
// a server with links is looked at again at least this often, for spends of links whose expiry
// the operator did not see coming
const maxWaitMs = 3_600_000;

/** Per server, until when spent Leases may still wait for deletion (links gone meanwhile included). */
const pendingUntil = new Map<string, number>();

const timeOf = (text: string | undefined) => (text === undefined ? Number.NaN : Date.parse(text));

/** Each pending link's expiry by its Lease's name, from the recipients' status. */
function statusExpiries(recipients: DeltaRecipient[]): Map<string, number> {
  const expiries = new Map<string, number>();
  for (const recipient of recipients) {
    const link = recipient.status?.activation;
    const time = timeOf(link?.expiresAt);
    if (link !== undefined && !Number.isNaN(time)) expiries.set(activationLeaseName(link.codeSha256), time);
  }
  return expiries;
}

/** When the Lease may go: undefined for one that is not a spend, or whose expiry cannot be read. */
function deletableAt(lease: KubeObject, known: Map<string, number>): number | undefined {
  if (!lease.metadata.name.startsWith(activationLeasePrefix)) return undefined;
  const named = timeOf(lease.metadata.annotations?.[spentLeaseAnnotations.linkExpiresAt]);
  if (Number.isNaN(named)) return undefined;
  return Math.max(named, known.get(lease.metadata.name) ?? named) + clockGraceMs;
}

/** Deletes the server's spent Leases that may go; returns how long until it should look again. */
async function deleteExpiredLeases(
  context: ReconcileContext,
  server: DeltaSharingServer,
  recipients: DeltaRecipient[],
): Promise<number> {
  const namespace = server.metadata.namespace;
  const now = context.now().getTime();
  const known = statusExpiries(recipients);
  const leases = await context.client.list<KubeObject>(collectionPath(resourceTypes.lease, namespace), {
    labelSelector: managedSelector,
  });
  const upcoming = [...known.values()].map((time) => time + clockGraceMs).filter((time) => time > now);
  for (const lease of leases.items) {
    const at = deletableAt(lease, known);
    if (at === undefined) continue;
    if (at > now) {
      upcoming.push(at);
      continue;
    }
    await context.client
      .delete(objectPath(resourceTypes.lease, namespace, lease.metadata.name))
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    context.metrics.writes.inc({ resource: resourceTypes.lease.plural });
  }
  if (upcoming.length > 0) pendingUntil.set(objectKey(server), Math.max(...upcoming) + 1000);
  else pendingUntil.delete(objectKey(server));
  return Math.min(now + maxWaitMs, ...upcoming) - now + 1000;
}

/**
 * While the server has links, or spends of links gone since may still wait: deletes the spent
 * Leases that may go and says when to look again. A failure is a Warning event and a later look.
 */
export async function tidySpentLeases(
  context: ReconcileContext,
  server: DeltaSharingServer,
  recipients: DeltaRecipient[],
  activationLinks: boolean,
): Promise<number | undefined> {
  const pending = (pendingUntil.get(objectKey(server)) ?? 0) > context.now().getTime();
  if (!activationLinks && !pending) return undefined;
  try {
    return await deleteExpiredLeases(context, server, recipients);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.events.record(
      server,
      "Warning",
      "SpentLeasesNotDeleted",
      `could not delete spent activation Leases: ${reason}`,
    );
    return maxWaitMs;
  }
}
