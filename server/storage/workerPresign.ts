// Signing of URL batches on one shared worker thread (SigV4 for S3, token MACs for local files): a
// cold answer signs each of its files (two or three SHA-256 apiece), and on a second core that
// work runs beside the writing of the lines. Until the thread is up, or if it ever fails, callers
// sign on their own thread instead.
import { Worker } from "node:worker_threads";
import type { SigningAnswer, SigningRequest } from "./presignWorker.ts";
import type { PresignOptions } from "./sigv4Presign.ts";

interface Pending {
  resolve: (signatures: string | undefined) => void;
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
  // its heap holds a few batches of strings and signers at a time: kept small, as a thread's heap
  // otherwise grows like the main one's (were that ever too little, it fails and callers sign)
  const thread = new Worker(new URL("./presignWorker.ts", import.meta.url), {
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
  });
  thread.on("online", () => {
    ready = true;
  });
  thread.on("message", (answer: SigningAnswer) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    waiting?.resolve(answer.signatures);
    if (pending.size === 0) thread.unref();
  });
  thread.on("error", giveUp);
  thread.on("exit", giveUp);
  // idle, the thread never keeps the process alive (unref after the listeners: adding one refs it)
  thread.unref();
  worker = thread;
}

/** Starts the thread ahead of the first answer that needs it (it takes a few tens of ms to start). */
export function prepareSigningThread(): void {
  if (!worker && !failed) start();
}

/** Sends a batch (items one per line) to the thread; undefined when it is not up (yet). */
function ask(
  items: readonly string[],
  request: (id: number, joined: string) => SigningRequest,
): Promise<string | undefined> | undefined {
  prepareSigningThread();
  if (!ready || !worker) return undefined;
  if (items.length === 0) return Promise.resolve("");
  if (items.some((item) => item.includes("\n"))) return undefined;
  const thread = worker;
  const id = nextId++;
  return new Promise((resolve) => {
    if (pending.size === 0) thread.ref();
    pending.set(id, { resolve });
    thread.postMessage(request(id, items.join("\n")));
  });
}

/**
 * The signatures of `encodedPaths` (as createSigner(options) makes them), signatureChars each, one
 * after the other, signed on the thread; undefined when the thread is not up (yet) or a path holds
 * a line break (encoded paths never do), so the caller signs them itself.
 */
export function signOnWorker(
  options: PresignOptions,
  encodedPaths: readonly string[],
): Promise<string | undefined> | undefined {
  return ask(encodedPaths, (id, joined) => ({ id, kind: "sigv4", options, encodedPaths: joined }));
}

/**
 * The HMAC-SHA256 of each of `messages` under `key`, base64url (43 characters each), one after the
 * other, computed on the thread; undefined when it is not up (yet) or a message holds a line break.
 */
export function macOnWorker(
  key: Buffer,
  messages: readonly string[],
): Promise<string | undefined> | undefined {
  return ask(messages, (id, joined) => ({ id, kind: "hmac", key, messages: joined }));
}

/**
 * The MD5 hex (32 characters each) of each of `paths`, one after the other, computed on the
 * thread: the parquet-format file ids of a batch; undefined when it is not up (yet) or a path holds
 * a line break.
 */
export function md5OnWorker(paths: readonly string[]): Promise<string | undefined> | undefined {
  return ask(paths, (id, joined) => ({ id, kind: "md5", paths: joined }));
}
