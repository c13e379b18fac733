// Whether the API server's RBAC allows a ServiceAccount something, asked as kubectl auth can-i
// --as asks it: a SubjectAccessReview with the account's user name and groups.
import type { KubeClient } from "../../operator/kube/client.ts";

export interface ResourceAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  group?: string;
  namespace?: string;
  name?: string;
}

export async function serviceAccountMay(
  client: KubeClient,
  account: { namespace: string; name: string },
  attributes: ResourceAttributes,
): Promise<boolean> {
  const review = await client.create<{ status: { allowed: boolean } }>(
    "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: `system:serviceaccount:${account.namespace}:${account.name}`,
        groups: [
          "system:serviceaccounts",
          `system:serviceaccounts:${account.namespace}`,
          "system:authenticated",
        ],
        resourceAttributes: attributes,
      },
    },
  );
  return review.status.allowed;
}
