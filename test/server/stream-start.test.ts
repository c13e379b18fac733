// An answer that fails after its status went out (PROTOCOL.md EndStreamAction.errorMessage): a
// client that reads endStreamAction lines gets one carrying errorMessage as the last line; any other
// client gets a broken stream, never an answer that looks whole. One that fails before its first
// lines are out is still a JSON error, since those lines are computed before the status is sent.
import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import { SharingError } from "../../server/protocol/errors.ts";
import { startLines } from "../../server/protocol/streamStart.ts";

const log = pino({ level: "silent" });

/** `count` lines, then a failure. */
async function* failingAfter(count: number): AsyncGenerator<unknown> {
  for (let index = 0; index < count; index++) yield { line: index };
  throw new SharingError("storageUnavailable", "the storage stopped answering");
}

async function drain(lines: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const line of lines) seen.push(line);
  return seen;
}

test("a failure after the status ends the answer with an errorMessage for clients that read endStreamAction", async () => {
  const lines = await startLines(failingAfter(5000), { endStreamAction: true, log });
  const seen = await drain(lines);
  assert.equal(seen.length, 5001);
  assert.deepEqual(seen.at(-1), { endStreamAction: { errorMessage: "the storage stopped answering" } });
});

test("without endStreamAction the stream breaks instead", async () => {
  const lines = await startLines(failingAfter(5000), { endStreamAction: false, log });
  await assert.rejects(drain(lines), /stopped answering/);
});

test("a failure among the first lines is raised before anything is sent", async () => {
  await assert.rejects(startLines(failingAfter(3), { endStreamAction: true, log }), /stopped answering/);
});
