// Reconciles a DeltaShare: checks what the CRD schema cannot, asks its server to re-render, and
// reports whether the server's running pods serve the share as specified and found its tables.
import type { V1Secret } from "@kubernetes/client-node";
import { keyOf } from "../kube/objects.ts";
import { resourceTypes } from "../kube/resourceTypes.ts";
import { judgeLoading, writtenConfigSha256 } from "../render/configLoading.ts";
import { configSecretName, serverWorkloadName } from "../render/names.ts";
import { selectServedShares } from "../render/servedShares.ts";
import { renderShareConfig } from "../render/shareConfig.ts";
import { type ShareServing, shareStatus } from "../render/shareStatus.ts";
import { appliedConfigOf, shareFingerprint } from "./appliedConfig.ts";
import { addFinalizer, removeFinalizer } from "./apply.ts";
import type { ReconcileContext, Reconciler } from "./context.ts";
import { serverKeyOf } from "./dependents.ts";
import { reportStatus } from "./report.ts";
import type { Exclusions } from "./serverReconciler.ts";

export function shareReconciler(context: ReconcileContext, exclusions: Exclusions): Reconciler {
  return async (key) => {
    const { caches } = context;
    const share = caches.shares.get(key);
    if (share === undefined) return {};
    const serverKey = serverKeyOf(share);
    const server = caches.servers.get(serverKey);
    const serverLive = server !== undefined && server.metadata.deletionTimestamp === undefined;
    if (share.metadata.deletionTimestamp !== undefined) {
      if (serverLive) context.enqueue.server(serverKey);
      else await removeFinalizer(context, resourceTypes.share, share);
      return {};
    }
    await addFinalizer(context, resourceTypes.share, share);

    const rendered = renderShareConfig(share);
    const serverName = share.spec.serverRef.name;
    let serving: ShareServing;
    const refusal = exclusions.get(key);
    if (server === undefined || !serverLive) {
      serving = { state: "serverMissing", serverName };
    } else if (refusal !== undefined) {
      serving = { state: "refused", message: refusal };
    } else {
      const holder = selectServedShares(server, caches.shares.list()).conflicts.get(key);
      const configSecret = caches.secrets.get(keyOf(share.metadata.namespace, configSecretName(server)));
      const applied = appliedConfigOf(configSecret as V1Secret | undefined).shares.get(
        rendered.name.toLowerCase(),
      );
      if (holder !== undefined) serving = { state: "nameTaken", holder };
      else if (applied === shareFingerprint(rendered.config)) {
        const report = context.serving.report(serverKey);
        const deployment = caches.deployments.get(
          keyOf(share.metadata.namespace, serverWorkloadName(server)),
        );
        const loading = judgeLoading(
          server,
          deployment,
          report,
          writtenConfigSha256(configSecret as V1Secret),
        );
        serving = { state: "served", serverName, loading, report };
      } else serving = { state: "pending", serverName };
    }

    const status = shareStatus(share, rendered, serving, context.now());
    const ready = await reportStatus(context, resourceTypes.share, share, status);
    if (ready !== undefined) context.events.record(share, "Normal", ready.reason, ready.message);
    return {};
  };
}
