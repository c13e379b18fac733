// DeltaSharingServer: one running sharing server (Deployment, Service, ServiceAccount, config
// Secret) that serves the DeltaShares and DeltaRecipients naming it in their serverRef.
import { type Static, Type as T } from "@sinclair/typebox";
import { ActivationConfig } from "../../server/config/activationSchema.ts";
import { AuthFailureLimitConfig, RateLimitConfig } from "../../server/config/limitsSchema.ts";
import { Conditions } from "./condition.ts";
import {
  cel,
  Duration,
  DurationOrNever,
  FreeObject,
  IntOrString,
  listSetOptions,
  optionalFieldsOf,
  StringEnum,
  StringMap,
} from "./schemaHelpers.ts";

/** Values used when a field is absent; the CRD schema declares the same ones as defaults. */
export const serverDefaults = {
  replicas: 2,
  port: 8080,
  opsPort: 9090,
  bindAddress: "0.0.0.0",
  endpointPath: "/delta-sharing",
  presignedUrlTtlSeconds: 3600,
  logLevel: "info",
  serviceType: "ClusterIP",
  servicePort: 8080,
  resources: {
    requests: { cpu: "100m", memory: "256Mi" },
    limits: { memory: "1Gi" },
  },
  tokenLifetime: "90d",
  tokenExpiryWarning: "14d",
} as const;

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const ServerS3 = T.Object(
  {
    region: T.Optional(T.String({ minLength: 1, maxLength: 64, description: "AWS region of the buckets." })),
    endpoint: T.Optional(
      T.String({
        maxLength: 2048,
        pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$",
        description: "Custom S3 endpoint (MinIO, Ceph…), used for reads and for presigned URLs.",
      }),
    ),
    forcePathStyle: T.Optional(
      T.Boolean({ description: "Path-style S3 URLs, as most non-AWS servers need." }),
    ),
  },
  { description: "Where the tables' S3 buckets are." },
);

const ServerAws = T.Object(
  {
    roleArn: T.Optional(
      T.String({
        maxLength: 2048,
        pattern: "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$",
        description:
          "IAM role for service accounts (IRSA): written as the ServiceAccount's eks.amazonaws.com/role-arn annotation.",
      }),
    ),
    podIdentity: T.Optional(
      T.Boolean({
        description:
          "The ServiceAccount is bound to a role by an EKS Pod Identity association (made outside the cluster); nothing is annotated.",
      }),
    ),
  },
  {
    description: "How the server's pods get AWS credentials; neither means the SDK's default chain.",
    ...cel({
      rule: "!(has(self.roleArn) && has(self.podIdentity) && self.podIdentity)",
      message: "choose roleArn (IRSA) or podIdentity, not both",
    }),
  },
);

const ServerDirectoryAccess = T.Object(
  {
    readerRoleArn: T.String({
      maxLength: 2048,
      pattern: "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$",
      description:
        "Role the server assumes (chained from its own) for recipients' temporary table credentials.",
    }),
    sessionSeconds: T.Optional(
      T.Integer({
        minimum: 900,
        maximum: 3600,
        default: 3600,
        description: "Lifetime of the credentials; STS caps chained role sessions at 3600 s.",
      }),
    ),
    region: T.Optional(T.String({ minLength: 1, maxLength: 64, description: "STS region; else s3.region." })),
    stsEndpoint: T.Optional(
      T.String({
        maxLength: 2048,
        pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$",
        description: "Custom STS endpoint (an interface VPC endpoint).",
      }),
    ),
  },
  { description: "Directory access (temporary table credentials); off when absent." },
);

const ServerService = T.Object(
  {
    type: T.Optional(
      StringEnum(["ClusterIP", "NodePort", "LoadBalancer"] as const, { default: serverDefaults.serviceType }),
    ),
    port: T.Optional(T.Integer({ minimum: 1, maximum: 65535, default: serverDefaults.servicePort })),
    annotations: T.Optional(
      StringMap({ description: "Annotations of the Service (load balancer settings)." }),
    ),
    externalTrafficPolicy: T.Optional(
      StringEnum(["Cluster", "Local"] as const, {
        description:
          "Local keeps the client's address (no second hop through another node), for allowedIpRanges without a proxy; NodePort and LoadBalancer only.",
      }),
    ),
  },
  {
    description: "The Service in front of the server's pods: the data port only, never the ops port.",
    ...cel({
      rule: "!has(self.externalTrafficPolicy) || (has(self.type) && self.type != 'ClusterIP')",
      message: "externalTrafficPolicy needs type NodePort or LoadBalancer",
    }),
  },
);

const cidrList = (description: string) =>
  T.Array(T.String({ maxLength: 64 }), {
    maxItems: 256,
    description,
    ...listSetOptions(),
    ...cel({ rule: "self.all(range, isCIDR(range))", message: "every entry must be a CIDR" }),
  });

const RateLimit = optionalFieldsOf(
  RateLimitConfig,
  "Each recipient's request rate limit (429 with Retry-After past it).",
);

const AuthFailureLimit = optionalFieldsOf(
  AuthFailureLimitConfig,
  "Failed authentications allowed per client address before it gets 429.",
);

// the namespace and API access are the pod's own: only whom to ask is the provider's to say
const ServerActivation = optionalFieldsOf(
  T.Pick(ActivationConfig, ["contact"]),
  "One-time activation links of this server's recipients (a recipient's spec.activation issues one).",
);

const Monitoring = T.Object(
  {
    podMonitor: T.Optional(
      T.Object(
        {
          interval: T.Optional(
            Duration({ description: "Scrape interval; Prometheus's default when absent." }),
          ),
          labels: T.Optional(
            StringMap({ description: "Labels of the PodMonitor (to match a Prometheus's selector)." }),
          ),
        },
        { description: "Render a Prometheus Operator PodMonitor that scrapes the ops port's /metrics." },
      ),
    ),
  },
  { description: "Scraping the server's metrics, which only the ops port serves." },
);

// The Kubernetes resource.Quantity syntax.
const quantityPattern =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

const Quantities = T.Unsafe<Record<string, string | number>>({
  type: "object",
  additionalProperties: IntOrString({ pattern: quantityPattern }),
});

const Resources = T.Object(
  {
    requests: T.Optional(Quantities),
    limits: T.Optional(Quantities),
  },
  { description: "Container resources; defaults: requests cpu 100m memory 256Mi, limits memory 1Gi." },
);

const Toleration = T.Object({
  key: T.Optional(T.String({ maxLength: 317 })),
  operator: T.Optional(StringEnum(["Exists", "Equal"] as const)),
  value: T.Optional(T.String({ maxLength: 63 })),
  effect: T.Optional(StringEnum(["NoSchedule", "PreferNoSchedule", "NoExecute"] as const)),
  tolerationSeconds: T.Optional(T.Integer()),
});

const PodDisruptionBudget = T.Object(
  {
    minAvailable: T.Optional(IntOrString()),
    maxUnavailable: T.Optional(IntOrString()),
  },
  {
    description: "A PodDisruptionBudget for the server's pods; none when absent.",
    ...cel({
      rule: "has(self.minAvailable) != has(self.maxUnavailable)",
      message: "set exactly one of minAvailable and maxUnavailable",
    }),
  },
);

const Tokens = T.Object(
  {
    defaultLifetime: T.Optional(
      DurationOrNever({
        default: serverDefaults.tokenLifetime,
        description: "Lifetime of recipients' tokens whose spec.token.lifetime is absent; 'never' for none.",
      }),
    ),
    expiryWarning: T.Optional(
      Duration({
        default: serverDefaults.tokenExpiryWarning,
        description: "A Warning event is recorded when a recipient's token has this long left.",
      }),
    ),
  },
  { description: "Recipients' tokens." },
);

const ServerIngress = T.Object(
  {
    host: T.String({
      maxLength: 253,
      pattern: "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
      description: "Host name recipients reach the server at (e.g. sharing.example.com).",
    }),
    className: T.Optional(
      T.String({
        maxLength: 253,
        description: "IngressClass (e.g. alb, nginx); the cluster's default when absent.",
      }),
    ),
    tlsSecretName: T.Optional(
      T.String({
        maxLength: 253,
        description:
          "Secret with the TLS certificate for host; absent when the controller terminates TLS itself (ALB with an ACM certificate).",
      }),
    ),
    annotations: T.Optional(
      StringMap({ description: "Annotations of the Ingress (e.g. the AWS Load Balancer Controller's)." }),
    ),
  },
  {
    description:
      "An Ingress routing only the Delta Sharing API's path (endpointPath) to the Service; set publicUrl to https://<host> to match.",
  },
);

export const DeltaSharingServerSpec = T.Object(
  {
    image: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 1024,
        description: "Server image; the operator's --server-image when absent.",
      }),
    ),
    imagePullPolicy: T.Optional(StringEnum(["Always", "IfNotPresent", "Never"] as const)),
    replicas: T.Optional(T.Integer({ minimum: 0, maximum: 1000, default: serverDefaults.replicas })),
    port: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 65535,
        default: serverDefaults.port,
        description: "Port the server listens on inside the pod.",
      }),
    ),
    opsPort: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 65535,
        default: serverDefaults.opsPort,
        description:
          "The ops port inside the pod (/livez, /readyz, /metrics, /status): used by the probes, never in the Service.",
      }),
    ),
    bindAddress: T.Optional(
      T.String({
        maxLength: 64,
        default: serverDefaults.bindAddress,
        description: "Address the server binds inside the pod; '::' on IPv6 clusters.",
        ...cel({ rule: "isIP(self)", message: "bindAddress must be an IP address" }),
      }),
    ),
    endpointPath: T.Optional(
      T.String({
        maxLength: 256,
        pattern: "^/[A-Za-z0-9_\\-./]*$",
        default: serverDefaults.endpointPath,
        description: "URL path the Delta Sharing API is served under.",
      }),
    ),
    publicUrl: T.Optional(
      T.String({
        maxLength: 2048,
        pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$",
        description:
          "Base URL recipients reach the server at (Ingress or load balancer); profiles name publicUrl + endpointPath. The in-cluster Service URL when absent.",
        ...cel({ rule: "!self.endsWith('/')", message: "publicUrl must not end with a slash" }),
      }),
    ),
    presignedUrlTtlSeconds: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 604800,
        default: serverDefaults.presignedUrlTtlSeconds,
        description: "How long presigned file URLs stay valid.",
      }),
    ),
    logLevel: T.Optional(StringEnum(logLevels, { default: serverDefaults.logLevel })),
    trustedProxies: T.Optional(
      cidrList(
        "CIDRs of the proxies in front of the server (ALB, Ingress-NGINX); their X-Forwarded-For names the client.",
      ),
    ),
    rateLimit: T.Optional(RateLimit),
    authFailureLimit: T.Optional(AuthFailureLimit),
    activation: T.Optional(ServerActivation),
    monitoring: T.Optional(Monitoring),
    s3: T.Optional(ServerS3),
    aws: T.Optional(ServerAws),
    directoryAccess: T.Optional(ServerDirectoryAccess),
    service: T.Optional(ServerService),
    resources: T.Optional(Resources),
    podLabels: T.Optional(StringMap({ description: "Extra labels of the server's pods." })),
    podAnnotations: T.Optional(StringMap({ description: "Annotations of the server's pods." })),
    nodeSelector: T.Optional(StringMap()),
    tolerations: T.Optional(T.Array(Toleration, { maxItems: 64 })),
    affinity: T.Optional(FreeObject({ description: "A core/v1 Affinity, passed to the pods unchanged." })),
    podDisruptionBudget: T.Optional(PodDisruptionBudget),
    ingress: T.Optional(ServerIngress),
    tokens: T.Optional(Tokens),
  },
  cel({
    rule: "(has(self.port) ? self.port : 8080) != (has(self.opsPort) ? self.opsPort : 9090)",
    message: "opsPort must differ from port",
  }),
);

export const DeltaSharingServerStatus = T.Object({
  observedGeneration: T.Optional(T.Integer({ minimum: 0 })),
  conditions: T.Optional(Conditions),
  endpoint: T.Optional(T.String({ description: "The endpoint recipients' profiles name." })),
  configSecretName: T.Optional(T.String()),
  shares: T.Optional(T.Integer({ minimum: 0, description: "Shares in the served configuration." })),
  recipients: T.Optional(T.Integer({ minimum: 0, description: "Recipients in the served configuration." })),
  availableReplicas: T.Optional(T.Integer({ minimum: 0 })),
});

export type DeltaSharingServerSpec = Static<typeof DeltaSharingServerSpec>;
export type DeltaSharingServerStatus = Static<typeof DeltaSharingServerStatus>;
