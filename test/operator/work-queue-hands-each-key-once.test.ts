import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkQueue } from "../../operator/runtime/workQueue.ts";

describe("the work queue", () => {
  it("queues a key once however often it is added", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("a");
    queue.add("b");
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), "a");
    assert.equal(await queue.get(), "b");
  });

  it("never hands out a key being worked on; added meanwhile, it comes back once the work is done", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    const key = await queue.get();
    queue.add("a");
    queue.add("a");
    assert.equal(queue.length, 0);
    queue.done(key ?? "");
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), "a");
  });

  it("retries with a per-key exponential backoff and forgets it after a success", async () => {
    const queue = new WorkQueue({ baseRetryMs: 10, maxRetryMs: 40 });
    assert.deepEqual(
      [queue.retry("a"), queue.retry("a"), queue.retry("a"), queue.retry("a")],
      [10, 20, 40, 40],
    );
    queue.forget("a");
    assert.equal(queue.failures("a"), 0);
    assert.equal(await queue.get(), "a");
  });

  it("adds after a delay, keeping the earliest schedule", async () => {
    const queue = new WorkQueue();
    queue.addAfter("a", 30);
    queue.addAfter("a", 5000);
    assert.equal(queue.length, 0);
    await sleep(60);
    assert.equal(queue.length, 1);
  });

  it("wakes waiting workers, and releases them with undefined on shutdown", async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add("x");
    assert.equal(await waiting, "x");
    const idle = queue.get();
    queue.add("y");
    queue.shutDown();
    assert.equal(await idle, "y");
    assert.equal(await queue.get(), undefined);
  });
});
