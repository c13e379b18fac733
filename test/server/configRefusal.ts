// The message a configuration is refused with; fails the test when it is accepted.
import assert from "node:assert/strict";
import { ConfigError, parseConfigText } from "../../server/config/load.ts";

export function refusal(text: string): string {
  try {
    parseConfigText(text, "server.yaml");
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("the configuration was accepted");
}
