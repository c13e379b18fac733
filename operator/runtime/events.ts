// Kubernetes Events about the custom resources: changes (Normal) and problems (Warning). The same
// event repeated within ten minutes raises the count of the first instead of adding another,
// as kubectl describe expects; events are best effort and never fail a reconcile.
import type { Logger } from "pino";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { collectionPath, objectPath, resourceTypes } from "../kube/resourceTypes.ts";
import { rfc3339 } from "../render/conditions.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  record(object: KubeObject, type: EventType, reason: string, message: string): void;
}

const component = "delta-sharing-operator";
const repeatWindowMs = 10 * 60_000;
const maxRemembered = 10_000;

interface Sent {
  name: string;
  namespace: string;
  count: number;
  at: number;
}

export function createEventRecorder(client: KubeClient, instance: string, logger: Logger): EventRecorder {
  const sent = new Map<string, Sent>();
  const send = async (object: KubeObject, type: EventType, reason: string, message: string) => {
    const namespace = object.metadata.namespace ?? "default";
    const key = JSON.stringify([object.metadata.uid, type, reason, message]);
    const now = new Date();
    const previous = sent.get(key);
    if (previous !== undefined && now.getTime() - previous.at < repeatWindowMs) {
      previous.count += 1;
      previous.at = now.getTime();
      await client.mergePatch(objectPath(resourceTypes.event, previous.namespace, previous.name), {
        count: previous.count,
        lastTimestamp: rfc3339(now),
      });
      return;
    }
    const created = await client.create<{ metadata: { name: string } }>(
      collectionPath(resourceTypes.event, namespace),
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: `${object.metadata.name}.`, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component },
        reportingComponent: component,
        reportingInstance: instance,
        firstTimestamp: rfc3339(now),
        lastTimestamp: rfc3339(now),
        count: 1,
      },
    );
    if (sent.size >= maxRemembered) sent.delete(sent.keys().next().value as string);
    sent.set(key, { name: created.metadata.name, namespace, count: 1, at: now.getTime() });
  };
  return {
    record(object, type, reason, message) {
      send(object, type, reason, message).catch((error) => {
        logger.debug(
          { err: error instanceof Error ? error.message : String(error), reason },
          "event not recorded",
        );
      });
    },
  };
}
