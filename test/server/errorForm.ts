// The protocol's error form, as the fuzz tests check every error answer against it: JSON with a
// string errorCode and message (HEAD answers and 416s have no body).
import assert from "node:assert/strict";

export interface Answer {
  status: number;
  body: string;
  type: string;
}

export function assertErrorForm(answer: Answer, method: string, where: string): void {
  if (answer.status < 400 || method === "HEAD" || answer.status === 416) return;
  assert.match(answer.type, /^application\/json/, where);
  const body = JSON.parse(answer.body) as { errorCode?: unknown; message?: unknown };
  assert.equal(typeof body.errorCode, "string", where);
  assert.equal(typeof body.message, "string", where);
}
