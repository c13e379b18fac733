// Granting and revoking what a server's pods need to spend activation links
// (render/activationAccess.ts): the RoleBinding to the installation's Lease-store ClusterRole.
// There is no cache of RoleBindings (the operator may not list them), so what was last done for
// each server is remembered in the process: the binding is written once, not on every reconcile,
// and revoked on the first reconcile after the last link went or after this process started.
import type { V1RoleBinding } from "@kubernetes/client-node";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { isNotFound } from "../kube/client.ts";
import { type KubeObject, objectKey } from "../kube/objects.ts";
import { objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import { activationBindingName, renderActivationBinding } from "../render/activationAccess.ts";
import { isControlledBy } from "../render/ownerReference.ts";
import { applyRendered } from "./apply.ts";
import type { ReconcileContext } from "./context.ts";

const granted = new Map<string, boolean>();

const bindingPath = (server: DeltaSharingServer) =>
  objectPath(resourceTypes.roleBinding, server.metadata.namespace, activationBindingName(server));

async function storedBinding(
  context: ReconcileContext,
  server: DeltaSharingServer,
): Promise<V1RoleBinding | undefined> {
  try {
    return await context.client.get<V1RoleBinding>(bindingPath(server));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Binds the server's ServiceAccount to the Lease-store role; throws with a reason when it cannot. */
async function grantActivationAccess(context: ReconcileContext, server: DeltaSharingServer) {
  const key = objectKey(server);
  if (granted.get(key) === true) return;
  if (context.activationClusterRole === "") {
    throw new Error("activation links are switched off in this operator (no --activation-cluster-role)");
  }
  const stored = await storedBinding(context, server);
  // someone else's binding of that name is neither taken over nor, later, deleted
  if (stored !== undefined && isControlledBy(stored as KubeObject, server) !== true) {
    throw new Error(
      `RoleBinding ${activationBindingName(server)} exists and is not controlled by this server`,
    );
  }
  const binding = renderActivationBinding(server, context.activationClusterRole);
  await applyRendered(context, resourceTypes.roleBinding, binding, undefined);
  granted.set(key, true);
}

/** Removes the server's binding, if this operator made it, unless already done in this process. */
async function revokeActivationAccess(context: ReconcileContext, server: DeltaSharingServer) {
  const key = objectKey(server);
  if (granted.get(key) === false) return;
  const stored = await storedBinding(context, server);
  if (stored !== undefined && isControlledBy(stored as KubeObject, server) === true) {
    await context.client.delete(bindingPath(server)).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    context.metrics.writes.inc({ resource: resourceTypes.roleBinding.plural });
  }
  granted.set(key, false);
}

/**
 * Grants the access while the server has links, revokes it otherwise (before the pods lose their
 * token: permissions go first). A failure is a Warning event: links answer 503 meanwhile, and
 * nothing else of the server waits for it.
 */
export async function settleActivationAccess(
  context: ReconcileContext,
  server: DeltaSharingServer,
  activationLinks: boolean,
): Promise<void> {
  try {
    if (activationLinks) await grantActivationAccess(context, server);
    else await revokeActivationAccess(context, server);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const what = activationLinks ? "could not grant" : "could not revoke";
    context.events.record(
      server,
      "Warning",
      "ActivationAccessFailed",
      `${what} the access activation links need: ${reason}`,
    );
  }
}
