// Entry point of the operator: `node operator/main.ts [flags]`, configured from the kubeconfig
// ($KUBECONFIG, ~/.kube/config) or, in a pod, its service account. Only the replica holding the
// leader Lease reconciles; SIGTERM stops the controllers, releases the Lease and exits.
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { startControllers } from "./controllers.ts";
import { createKubeClient } from "./kube/client.ts";
import { parseDuration } from "./render/duration.ts";
import { createEventRecorder } from "./runtime/events.ts";
import { startHealthServer } from "./runtime/healthServer.ts";
import { LeaderElector } from "./runtime/leaderElection.ts";
import { OperatorMetrics } from "./runtime/metrics.ts";

export const defaultServerImage = "ghcr.io/delta-sharing-operator/delta-sharing-operator:0.1.0";
/** The Lease-store ClusterRole's name when the operator is installed without the chart's release prefix. */
export const defaultActivationClusterRole = "delta-sharing-operator-activation";

const usage = `usage: delta-sharing-operator operator [flags]
  --namespace NS            watch one namespace (default: all; env WATCH_NAMESPACE)
  --server-image IMAGE      image of servers whose spec names none (env DSO_SERVER_IMAGE)
  --activation-cluster-role NAME
                            ClusterRole (create and get on Leases) that servers with activation
                            links are bound to; "" switches links off (default ${defaultActivationClusterRole})
  --health-address H:P      /healthz, /readyz and /metrics (default 0.0.0.0:8081)
  --leader-elect BOOL       campaign for the leader Lease (default true)
  --lease-namespace NS      namespace of the Lease (default: env POD_NAMESPACE, else default)
  --lease-name NAME         (default delta-sharing-operator)
  --lease-duration D        (default 15s)   --renew-deadline D (default 10s)   --retry-period D (default 2s)
  --identity ID             this replica's name in the Lease (default: hostname and pid)
  --concurrency N           workers per kind (default 8)
  --resync D                reconcile everything again this often (default 10m)
  --log-level LEVEL         (default info)
`;

function flags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      namespace: { type: "string", default: process.env.WATCH_NAMESPACE },
      "server-image": { type: "string", default: process.env.DSO_SERVER_IMAGE ?? defaultServerImage },
      "activation-cluster-role": { type: "string", default: defaultActivationClusterRole },
      "health-address": { type: "string", default: "0.0.0.0:8081" },
      "leader-elect": { type: "string", default: "true" },
      "lease-namespace": { type: "string", default: process.env.POD_NAMESPACE ?? "default" },
      "lease-name": { type: "string", default: "delta-sharing-operator" },
      "lease-duration": { type: "string", default: "15s" },
      "renew-deadline": { type: "string", default: "10s" },
      "retry-period": { type: "string", default: "2s" },
      identity: { type: "string", default: `${hostname()}-${process.pid}` },
      concurrency: { type: "string", default: "8" },
      resync: { type: "string", default: "10m" },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  return values;
}

function splitAddress(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(":");
  const port = Number(text.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`not host:port: ${text}`);
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ""), port };
}

export async function runOperator(argv: string[]): Promise<void> {
  let values: ReturnType<typeof flags>;
  let timings: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number; resyncMs: number };
  try {
    values = flags(argv);
    timings = {
      leaseDurationMs: parseDuration(values["lease-duration"]),
      renewDeadlineMs: parseDuration(values["renew-deadline"]),
      retryPeriodMs: parseDuration(values["retry-period"]),
      resyncMs: parseDuration(values.resync),
    };
    if (
      timings.renewDeadlineMs >= timings.leaseDurationMs ||
      timings.retryPeriodMs >= timings.renewDeadlineMs
    ) {
      throw new Error("need retry-period < renew-deadline < lease-duration");
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const logger = pino({
    level: values["log-level"],
    base: { service: "delta-sharing-operator" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const client = createKubeClient(kubeConfig);
  const metrics = new OperatorMetrics();
  const identity = values.identity;
  const events = createEventRecorder(client, identity, logger);
  const shutdown = new AbortController();

  let leading = false;
  let controllersSynced = () => false;
  const { host, port } = splitAddress(values["health-address"]);
  const health = await startHealthServer(host, port, {
    ready: () => !leading || controllersSynced(),
    registry: metrics.registry,
  });
  logger.info({ url: health.url, identity }, "operator health endpoints listening");

  const lead = async (signal: AbortSignal) => {
    const controllers = startControllers(
      {
        client,
        logger,
        metrics,
        events,
        ...(values.namespace ? { namespace: values.namespace } : {}),
        defaultImage: values["server-image"],
        activationClusterRole: values["activation-cluster-role"],
        concurrency: Number(values.concurrency),
        resyncMs: timings.resyncMs,
      },
      signal,
    );
    controllersSynced = controllers.synced;
    await controllers.done;
  };

  const stop = () => shutdown.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  if (values["leader-elect"] === "false") {
    leading = true;
    metrics.leader.set(1);
    await lead(shutdown.signal);
  } else {
    const elector = new LeaderElector({
      client,
      namespace: values["lease-namespace"],
      name: values["lease-name"],
      identity,
      ...timings,
      logger,
    });
    await elector.run(
      {
        lead,
        onChange: (isLeader) => {
          leading = isLeader;
          metrics.leader.set(isLeader ? 1 : 0);
        },
      },
      shutdown.signal,
    );
  }
  await health.close();
  logger.info("operator stopped");
}

if (import.meta.main) {
  await runOperator(process.argv.slice(2));
  process.exit(0);
}
