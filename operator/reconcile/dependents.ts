// The shares and recipients that name a server, found in the caches.
import type { DeltaRecipient, DeltaShare } from "../api/kinds.ts";
import { splitKey } from "../kube/objects.ts";
import type { Caches } from "./context.ts";

type Dependent = DeltaShare | DeltaRecipient;

function naming<T extends Dependent>(items: Iterable<T>, serverKey: string): T[] {
  const { namespace, name } = splitKey(serverKey);
  return [...items].filter(
    (item) => item.metadata.namespace === namespace && item.spec.serverRef.name === name,
  );
}

export function sharesOf(caches: Caches, serverKey: string): DeltaShare[] {
  return naming(caches.shares.list(), serverKey);
}

export function recipientsOf(caches: Caches, serverKey: string): DeltaRecipient[] {
  return naming(caches.recipients.list(), serverKey);
}

export function serverKeyOf(dependent: Dependent): string {
  return `${dependent.metadata.namespace}/${dependent.spec.serverRef.name}`;
}
