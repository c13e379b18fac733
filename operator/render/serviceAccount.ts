// The server's ServiceAccount: the identity AWS credentials attach to, by the IRSA annotation or
// an EKS Pod Identity association. No API token is mounted by default: only while a recipient has
// an activation link do the pods get one, in a volume of their own (activationAccess.ts).
import type { V1ServiceAccount } from "@kubernetes/client-node";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { serverLabels, serverWorkloadName } from "./names.ts";
import { ownedMetadata } from "./ownerReference.ts";

export const irsaAnnotation = "eks.amazonaws.com/role-arn";

export function renderServiceAccount(server: DeltaSharingServer): V1ServiceAccount {
  const roleArn = server.spec.aws?.roleArn;
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: ownedMetadata(
      server,
      serverWorkloadName(server),
      serverLabels(server.metadata.name),
      roleArn !== undefined ? { [irsaAnnotation]: roleArn } : undefined,
    ),
    automountServiceAccountToken: false,
  };
}
