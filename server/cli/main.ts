// Entry point of the command line: `node server/cli/main.ts recipient create|rotate …`.
import { recipientCommand, UsageError, usage } from "./recipientCommand.ts";

try {
  await recipientCommand(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`delta-sharing: ${message}\n`);
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(usage);
    process.exit(2);
  }
  process.exit(1);
}
