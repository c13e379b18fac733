// The controller reference that ties a rendered object to the custom resource it was made for:
// the garbage collector deletes it with its owner, and the operator refuses to take over an
// object that another owner controls.
import type { KubeObject, OwnerReference } from "../kube/objects.ts";

export function controllerReference(owner: KubeObject): OwnerReference {
  const uid = owner.metadata.uid;
  if (uid === undefined) throw new Error(`${owner.kind} ${owner.metadata.name} has no uid yet`);
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** True when the object is controlled by the owner, false when by something else, undefined when by nothing. */
export function isControlledBy(object: KubeObject, owner: KubeObject): boolean | undefined {
  const controller = object.metadata.ownerReferences?.find((reference) => reference.controller === true);
  if (controller === undefined) return undefined;
  return controller.uid === owner.metadata.uid;
}

/** The metadata every object rendered for an owner carries: its name, the owner's namespace, labels, the controller reference. */
export function ownedMetadata(
  owner: KubeObject,
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: OwnerReference[];
} {
  return {
    name,
    namespace: owner.metadata.namespace ?? "default",
    labels,
    ...(annotations !== undefined ? { annotations } : {}),
    ownerReferences: [controllerReference(owner)],
  };
}
