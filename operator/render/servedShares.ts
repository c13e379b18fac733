// Which DeltaShares a server serves: those naming it, not being deleted, and first to claim their
// share name (oldest, then by object name) when two claim the same name ignoring case.
import type { DeltaShare, DeltaSharingServer } from "../api/kinds.ts";
import { objectKey } from "../kube/objects.ts";
import { type RenderedShare, renderShareConfig, shareNameOf } from "./shareConfig.ts";

export interface ServedShares {
  /** In share-name order. */
  served: { share: DeltaShare; rendered: RenderedShare }[];
  /** Object key of each DeltaShare left out for its name → the object that holds the name. */
  conflicts: Map<string, string>;
}

export function namesServer(
  object: { metadata: { namespace?: string }; spec: { serverRef: { name: string } } },
  server: DeltaSharingServer,
): boolean {
  return (
    object.metadata.namespace === server.metadata.namespace &&
    object.spec.serverRef.name === server.metadata.name
  );
}

function claimOrder(a: DeltaShare, b: DeltaShare): number {
  const byAge = (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "");
  return byAge !== 0 ? byAge : a.metadata.name.localeCompare(b.metadata.name);
}

export function selectServedShares(server: DeltaSharingServer, shares: Iterable<DeltaShare>): ServedShares {
  const candidates = [...shares]
    .filter((share) => namesServer(share, server) && share.metadata.deletionTimestamp === undefined)
    .sort(claimOrder);
  const holders = new Map<string, DeltaShare>();
  const conflicts = new Map<string, string>();
  const served: ServedShares["served"] = [];
  for (const share of candidates) {
    const name = shareNameOf(share).toLowerCase();
    const holder = holders.get(name);
    if (holder !== undefined) {
      conflicts.set(objectKey(share), holder.metadata.name);
      continue;
    }
    holders.set(name, share);
    served.push({ share, rendered: renderShareConfig(share) });
  }
  served.sort((a, b) => a.rendered.name.localeCompare(b.rendered.name));
  return { served, conflicts };
}
