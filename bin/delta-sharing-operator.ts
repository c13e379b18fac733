#!/usr/bin/env node
// The package's one command:
//   delta-sharing-operator operator [flags]            the Kubernetes operator
//   delta-sharing-operator server --config FILE        a sharing server
//   delta-sharing-operator recipient create|rotate …   make a recipient's token and profile
const usage = `usage: delta-sharing-operator <operator|server|recipient> [arguments]
  operator [flags]              run the operator (--help for its flags)
  server --config FILE          run a sharing server from a configuration file
  recipient create|rotate ...   make a recipient's token and profile (--help for details)
`;

const command = process.argv[2];
switch (command) {
  case "operator": {
    const { runOperator } = await import("../operator/main.ts");
    await runOperator(process.argv.slice(3));
    process.exit(0);
    break;
  }
  case "server":
    // the server reads its own flags from process.argv
    process.argv.splice(2, 1);
    await import("../server/main.ts");
    break;
  case "recipient":
    await import("../server/cli/main.ts");
    break;
  case "help":
  case "--help":
    process.stdout.write(usage);
    break;
  default:
    process.stderr.write(usage);
    process.exit(2);
}
