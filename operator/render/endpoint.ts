// The endpoint recipients' profiles name: the server's public URL when it has one, else its
// Service's in-cluster address; then the API path.
import { serverDefaults } from "../api/deltaSharingServer.ts";
import type { DeltaSharingServer } from "../api/kinds.ts";
import { serverWorkloadName } from "./names.ts";

export function profileEndpoint(server: DeltaSharingServer): string {
  const spec = server.spec;
  const path = (spec.endpointPath ?? serverDefaults.endpointPath).replace(/\/+$/, "");
  if (spec.publicUrl !== undefined) return `${spec.publicUrl}${path}`;
  const port = spec.service?.port ?? serverDefaults.servicePort;
  return `http://${serverWorkloadName(server)}.${server.metadata.namespace}.svc:${port}${path}`;
}
