// Names and labels of the objects rendered for a server or a recipient. The server's own name is
// limited (by a CEL rule on the CRD) to a DNS label, so every derived name here stays valid.
import { group } from "../api/group.ts";
import type { DeltaRecipient, DeltaSharingServer } from "../api/kinds.ts";

export const managedBy = "delta-sharing-operator";
export const serverLabel = `${group}/server`;
export const componentLabel = "app.kubernetes.io/component";
export const managedByLabel = "app.kubernetes.io/managed-by";

/** Selects every object the operator made: the label selector of its Secret and child watches. */
export const managedSelector = `${managedByLabel}=${managedBy}`;

export const configSecretName = (server: DeltaSharingServer) => `${server.metadata.name}-config`;
export const serverWorkloadName = (server: DeltaSharingServer) => server.metadata.name;

export function credentialSecretName(recipient: DeltaRecipient): string {
  return recipient.spec.credentialSecretName ?? `${recipient.metadata.name}-share-profile`;
}

/** Labels that select a server's pods; never changed after creation (Deployment selectors are immutable). */
export function selectorLabels(serverName: string): Record<string, string> {
  return { "app.kubernetes.io/name": "delta-sharing-server", "app.kubernetes.io/instance": serverName };
}

export function serverLabels(serverName: string): Record<string, string> {
  return {
    ...selectorLabels(serverName),
    [managedByLabel]: managedBy,
    [componentLabel]: "server",
    [serverLabel]: serverName,
  };
}

export function credentialLabels(serverName: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "delta-sharing-recipient",
    [managedByLabel]: managedBy,
    [componentLabel]: "recipient-credentials",
    [serverLabel]: serverName,
  };
}
