// SigV4 presigning of URL batches on one shared worker thread: a cold answer signs each of its
// files (three SHA-256 apiece), and on a second core that work runs beside the writing of the
// lines. Until the thread is up, or if it ever fails, callers sign on their own thread instead.
import { Worker } from "node:worker_threads";
import type { PresignRequest } from "./presignWorker.ts";
import type { PresignOptions } from "./sigv4Presign.ts";

interface Pending {
  resolve: (queries: string[] | undefined) => void;
}

let worker: Worker | undefined;
let ready = false;
let failed = false;
let nextId = 0;
const pending = new Map<number, Pending>();

function giveUp(): void {
  failed = true;
  ready = false;
  worker = undefined;
  for (const waiting of pending.values()) waiting.resolve(undefined);
  pending.clear();
}

function start(): void {
  const thread = new Worker(new URL("./presignWorker.ts", import.meta.url));
  thread.unref();
  thread.on("online", () => {
    ready = true;
  });
  thread.on("message", (answer: { id: number; queries: string[] }) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    waiting?.resolve(answer.queries);
  });
  thread.on("error", giveUp);
  thread.on("exit", giveUp);
  worker = thread;
}

/** Starts the thread ahead of the first answer that needs it (it takes a few tens of ms to start). */
export function prepareSigningThread(): void {
  if (!worker && !failed) start();
}

/**
 * The signed query strings of `encodedPaths` (as createPresigner(options) makes them), signed on
 * the worker thread; undefined when the thread is not up (yet), so the caller signs them itself.
 */
export function presignOnWorker(
  options: PresignOptions,
  encodedPaths: string[],
): Promise<string[] | undefined> | undefined {
  prepareSigningThread();
  if (!ready || !worker) return undefined;
  const id = nextId++;
  const request: PresignRequest = { id, options, encodedPaths };
  return new Promise((resolve) => {
    pending.set(id, { resolve });
    worker?.postMessage(request);
  });
}
