// A small Kubernetes REST client on node:https. The KubeConfig (kubeconfig file or in-cluster
// service account) supplies the server, TLS material and credentials per request, so rotated
// service-account tokens are picked up; requests reuse keep-alive connections.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { createInterface } from "node:readline";
import type { KubeConfig } from "@kubernetes/client-node";
import { fieldManager } from "../api/group.ts";

export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
  }
}

export const isNotFound = (error: unknown) => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown) => error instanceof KubeApiError && error.status === 409;
export const isGone = (error: unknown) => error instanceof KubeApiError && error.status === 410;

export type Query = Record<string, string | number | boolean | undefined>;

export interface ListResult<T> {
  items: T[];
  metadata: { resourceVersion: string; continue?: string };
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export interface CallOptions {
  /** Gives up after this long; 30 s when absent. */
  timeoutMs?: number;
}

export interface KubeClient {
  get<T>(path: string, options?: CallOptions): Promise<T>;
  list<T>(path: string, query?: Query): Promise<ListResult<T>>;
  create<T>(path: string, body: object, options?: CallOptions): Promise<T>;
  /** Server-side apply, taking over conflicting fields; the operator's field manager unless named. */
  apply<T>(path: string, body: object, options?: { fieldManager?: string }): Promise<T>;
  mergePatch<T>(path: string, body: object): Promise<T>;
  jsonPatch<T>(path: string, operations: object[]): Promise<T>;
  replace<T>(path: string, body: object, options?: CallOptions): Promise<T>;
  delete(path: string): Promise<void>;
  /** Streams watch events until the server ends the watch, the signal aborts, or no byte arrives for idleMs. */
  watch<T>(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    options: { signal: AbortSignal; idleMs: number },
  ): Promise<void>;
}

interface Connection {
  url: URL;
  options: RequestOptions;
}

const requestTimeoutMs = 30_000;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}${path.includes("?") ? "&" : "?"}${text}`;
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function apiError(status: number, text: string, method: string, path: string): KubeApiError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(
      status,
      body.reason ?? "Unknown",
      `${method} ${path}: ${status} ${body.message ?? text}`,
    );
  } catch {
    return new KubeApiError(status, "Unknown", `${method} ${path}: ${status} ${text.slice(0, 500)}`);
  }
}

export function createKubeClient(kubeConfig: KubeConfig): KubeClient {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const base = new URL(cluster.server);
  const secure = base.protocol === "https:";
  let agent: HttpAgent | HttpsAgent | undefined;

  const connect = async (path: string): Promise<Connection> => {
    const options: RequestOptions = { headers: {} };
    await kubeConfig.applyToHTTPSOptions(options);
    agent ??= secure
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: 128,
          ca: options.ca,
          cert: options.cert,
          key: options.key,
          ...(options.rejectUnauthorized !== undefined
            ? { rejectUnauthorized: options.rejectUnauthorized }
            : {}),
          ...(options.servername !== undefined ? { servername: options.servername } : {}),
        })
      : new HttpAgent({ keepAlive: true, maxSockets: 128 });
    const url = new URL(base.pathname.replace(/\/+$/, "") + path, base);
    return { url, options: { headers: options.headers, agent } };
  };

  const send = async (
    method: string,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> => {
    const { url, options } = await connect(path);
    const headers: Record<string, string> = {
      ...(options.headers as Record<string, string>),
      accept: "application/json",
    };
    if (contentType !== undefined) headers["content-type"] = contentType;
    const request = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, headers, agent: options.agent, signal }, resolve);
      outgoing.on("error", reject);
      if (body !== undefined) outgoing.end(body);
      else outgoing.end();
    });
  };

  const call = async <T>(
    method: string,
    path: string,
    body?: object,
    contentType?: string,
    options: CallOptions = {},
  ): Promise<T> => {
    const signal = AbortSignal.timeout(options.timeoutMs ?? requestTimeoutMs);
    const response = await send(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? undefined : (contentType ?? "application/json"),
      signal,
    );
    const text = await readBody(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(status, text, method, path.split("?")[0] ?? path);
    return (text === "" ? {} : JSON.parse(text)) as T;
  };

  const watch = async <T>(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent<T>) => void,
    options: { signal: AbortSignal; idleMs: number },
  ): Promise<void> => {
    const idle = new AbortController();
    const signal = AbortSignal.any([options.signal, idle.signal]);
    let timer = setTimeout(() => idle.abort(), options.idleMs);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), options.idleMs);
    };
    try {
      const response = await send(
        "GET",
        withQuery(path, { ...query, watch: true }),
        undefined,
        undefined,
        signal,
      );
      const status = response.statusCode ?? 0;
      if (status !== 200) throw apiError(status, await readBody(response), "WATCH", path);
      response.on("data", touch);
      const lines = createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type === "ERROR") {
          const failure = event.object as { code?: number; reason?: string; message?: string };
          throw new KubeApiError(
            failure.code ?? 500,
            failure.reason ?? "Unknown",
            `WATCH ${path}: ${failure.message}`,
          );
        }
        onEvent(event);
      }
    } catch (error) {
      // the caller's own stop, or a quiet connection: both simply end this watch
      if (signal.aborted && !(error instanceof KubeApiError)) return;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    get: (path, options) => call("GET", path, undefined, undefined, options),
    list: (path, query) => call("GET", withQuery(path, query)),
    create: (path, body, options) =>
      call("POST", withQuery(path, { fieldManager }), body, undefined, options),
    apply: (path, body, options) =>
      call(
        "PATCH",
        withQuery(path, { fieldManager: options?.fieldManager ?? fieldManager, force: true }),
        body,
        "application/apply-patch+yaml",
      ),
    mergePatch: (path, body) =>
      call("PATCH", withQuery(path, { fieldManager }), body, "application/merge-patch+json"),
    jsonPatch: (path, operations) =>
      call("PATCH", withQuery(path, { fieldManager }), operations, "application/json-patch+json"),
    replace: (path, body, options) =>
      call("PUT", withQuery(path, { fieldManager }), body, undefined, options),
    delete: async (path) => {
      await call("DELETE", path);
    },
    watch,
  };
}
