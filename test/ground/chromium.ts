// A real headless browser for tests: Debian's chromium (installed by test/ground/chromium/install.sh),
// driven over the DevTools protocol on a loopback websocket with Node's own WebSocket: navigate,
// read the page, click, take screenshots and catch downloads.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.ts";
import { type RunningProcess, startProcess } from "./process.ts";

export interface BrowserPage {
  /** Sends one DevTools command to the page's session and waits for its answer. */
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Resolves with the params of the next event of that name (any session), or rejects after timeoutMs. */
  next(method: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  navigate(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  screenshotPng(): Promise<Buffer>;
  /** Lets downloads land in `dir` (browser-wide). */
  allowDownloads(dir: string): Promise<void>;
  /** Closes the socket; events still awaited reject. */
  close(): void;
}

export interface Browser {
  page: BrowserPage;
  stop(): Promise<void>;
}

const devtoolsLine = /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\/[\w-]+)/;

export function chromiumBinary(): string {
  const out = execFileSync("bash", [join(repoRoot, "test/ground/chromium/install.sh")], { encoding: "utf8" });
  return out.trim().split("\n").at(-1) as string;
}

export async function startBrowser(): Promise<Browser> {
  const profileDir = await mkdtemp(join(tmpdir(), "dso-chromium-"));
  let chromium: RunningProcess | undefined;
  try {
    chromium = await startProcess({
      name: "chromium",
      command: chromiumBinary(),
      // --no-sandbox: test runs may be root, where chromium refuses its sandbox
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--user-data-dir=${profileDir}`,
        "--window-size=1000,1100",
        "about:blank",
      ],
      ready: (output) => devtoolsLine.test(output),
      readyTimeoutMs: 60_000,
    });
    const url = devtoolsLine.exec(chromium.output())?.[1] as string;
    const page = await connect(url);
    const running = chromium;
    return {
      page,
      stop: async () => {
        page.close();
        await running.stop();
        await rm(profileDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await chromium?.stop();
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
}

async function connect(url: string): Promise<BrowserPage> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("cannot reach chromium's DevTools")), {
      once: true,
    });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  interface Waiter {
    method: string;
    resolve: (params: Record<string, unknown>) => void;
    reject: (error: Error) => void;
  }
  const waiters: Waiter[] = [];
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id !== undefined) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(message.error.message));
      else call?.resolve(message.result);
      return;
    }
    const index = waiters.findIndex((waiter) => waiter.method === message.method);
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message.params ?? {});
  });
  const call = <T>(method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const next = (method: string, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({
        method,
        resolve: (params) => {
          clearTimeout(timer);
          resolve(params);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const { targetId } = await call<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await call<{ sessionId: string }>("Target.attachToTarget", {
    targetId,
    flatten: true,
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    call<T>(method, params, sessionId);
  await send("Page.enable");
  return {
    send,
    next,
    async navigate(target) {
      const loaded = next("Page.loadEventFired");
      await send("Page.navigate", { url: target });
      await loaded;
    },
    async evaluate<T>(expression: string) {
      const answer = await send<{ result: { value: T } }>("Runtime.evaluate", {
        expression,
        returnByValue: true,
      });
      return answer.result.value;
    },
    async screenshotPng() {
      const { data } = await send<{ data: string }>("Page.captureScreenshot", { format: "png" });
      return Buffer.from(data, "base64");
    },
    async allowDownloads(dir) {
      await call("Browser.setDownloadBehavior", {
        behavior: "allow",
        downloadPath: dir,
        eventsEnabled: true,
      });
    },
    close() {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error("the browser connection closed"));
      for (const open of pending.values()) open.reject(new Error("the browser connection closed"));
      pending.clear();
      socket.close();
    },
  };
}
