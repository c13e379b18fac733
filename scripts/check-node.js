// Plain JavaScript on purpose: it runs before the TypeScript entry points, which an older Node
// cannot even load (ERR_UNKNOWN_FILE_EXTENSION). It says which Node this project needs and how to
// get it, instead of a stack trace.
import { readFileSync } from "node:fs";

const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const needed = Number(/>=\s*(\d+)/.exec(packageJson.engines.node)[1]);
const major = Number(process.versions.node.split(".")[0]);
if (major < needed) {
  process.stderr.write(
    [
      `This project needs Node.js ${needed} (you have ${process.versions.node}).`,
      `Install Node.js ${needed} LTS, e.g. \`nvm install ${needed}\`, or from https://nodejs.org/en/download,`,
      "or run `bash test/ground/node/install.sh` and put the directory it prints first on your PATH.",
      "",
    ].join("\n"),
  );
  process.exit(1);
}
