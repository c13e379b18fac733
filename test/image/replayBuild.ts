// Replays a Dockerfile's build outside a container: each stage gets a folder standing for its root
// filesystem, laid by its base image's stand-in; WORKDIR, COPY (from the .dockerignore-filtered
// context or from an earlier stage), RUN (a shell in the stage's working folder), ENV, USER,
// ENTRYPOINT and CMD act as a builder would. The last stage's folder and configuration are what
// the image would hold and run.
import { spawn } from "node:child_process";
import { chmod, copyFile, cp, mkdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, posix } from "node:path";
import { type BaseImage, baseImage } from "./baseImages.ts";
import { expand, type Instruction, keyValuePairs, readDockerfile } from "./dockerfile.ts";
import { contextFiles } from "./dockerignore.ts";

export interface ImageConfig {
  env: Record<string, string>;
  user: string;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  exposedPorts: string[];
  labels: Record<string, string>;
}

export interface ReplayedImage {
  /** The final stage's root filesystem. */
  root: string;
  config: ImageConfig;
  /** Output of every RUN, for failure messages. */
  log: string;
  /** Milliseconds per stage, by stage name or index. */
  stageMs: Record<string, number>;
}

export interface ReplayOptions {
  contextDir: string;
  dockerfilePath: string;
  outDir: string;
  runTimeoutMs?: number;
}

interface StageState {
  root: string;
  base: BaseImage;
  config: ImageConfig;
  args: Map<string, string>;
}

interface ContextState extends StageState {
  contextDir: string;
}

const absolutePathInCommand = /(^|[\s"'=:])\/[A-Za-z]/;

async function runShell(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  const child = spawn("/bin/sh", ["-c", command], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => process.kill(-(child.pid ?? 0), "SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exit) => resolve(exit)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`RUN ${command} exited with ${code}:\n${output.slice(-4000)}`);
  return output;
}

// The build machine's own network settings (proxy, extra CA), which a builder passes to its RUN steps
// without their entering the image.
function buildMachineNetwork(): Record<string, string> {
  const names = /^(https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => names.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}

async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 });
}

function variables(state: StageState): Map<string, string> {
  return new Map([...Object.entries(state.config.env), ...state.args]);
}

function words(instruction: Instruction, state: StageState): string[] {
  const parts = instruction.exec ?? instruction.text.trim().split(/\s+/);
  return parts.map((part) => expand(part, variables(state), instruction.line));
}

async function copyFromContext(
  sources: string[],
  dest: string,
  state: ContextState,
  files: string[],
  line: number,
) {
  const intoDir = dest.endsWith("/") || sources.length > 1;
  const target = posix.resolve(state.config.workdir, dest);
  for (const source of sources) {
    const cleaned = posix.normalize(source).replace(/^\/+|\/+$/g, "");
    if (/[*?[]/.test(cleaned)) throw new Error(`Dockerfile:${line}: COPY wildcards are not replayed`);
    if (files.includes(cleaned)) {
      const path = intoDir ? posix.join(target, posix.basename(cleaned)) : target;
      await ensureDir(dirname(join(state.root, path)));
      await copyFile(join(state.contextDir, cleaned), join(state.root, path));
      continue;
    }
    const prefix = cleaned === "." || cleaned === "" ? "" : `${cleaned}/`;
    const below = files.filter((file) => file.startsWith(prefix));
    if (below.length === 0) throw new Error(`Dockerfile:${line}: COPY ${source}: not in the build context`);
    for (const file of below) {
      const path = join(state.root, target, file.slice(prefix.length));
      await ensureDir(dirname(path));
      await copyFile(join(state.contextDir, file), path);
    }
  }
}

export async function replayBuild(options: ReplayOptions): Promise<ReplayedImage> {
  const dockerfile = await readDockerfile(options.dockerfilePath);
  const files = await contextFiles(options.contextDir);
  const stageRoots = new Map<string, string>();
  const stageMs: Record<string, number> = {};
  const npmCache = process.env.npm_config_cache ?? join(homedir(), ".npm");
  let log = "";
  let last: StageState | undefined;

  for (const [index, stage] of dockerfile.stages.entries()) {
    const started = Date.now();
    const label = stage.name ?? String(index);
    const root = join(options.outDir, `stage-${index}${stage.name ? `-${stage.name}` : ""}`);
    await ensureDir(root);
    await chmod(root, 0o755);
    const base = baseImage(stage.from);
    await base.lay(root);
    const state: ContextState = {
      root,
      base,
      contextDir: options.contextDir,
      args: new Map(),
      config: {
        env: { ...base.env },
        user: base.user,
        workdir: "/",
        entrypoint: [],
        cmd: [],
        exposedPorts: [],
        labels: {},
      },
    };
    for (const instruction of stage.instructions) {
      const { keyword, flags, line } = instruction;
      const unknownFlags = [...flags.keys()].filter((flag) => !(keyword === "COPY" && flag === "from"));
      if (unknownFlags.length > 0)
        throw new Error(`Dockerfile:${line}: ${keyword} --${unknownFlags[0]} is not replayed`);
      switch (keyword) {
        case "ARG": {
          const [name = "", value] = instruction.text.trim().split("=", 2);
          const inherited = dockerfile.globalArgs.get(name);
          const resolved = value ?? inherited;
          if (resolved === undefined) throw new Error(`Dockerfile:${line}: ARG ${name} has no value`);
          state.args.set(name, resolved);
          break;
        }
        case "WORKDIR":
          state.config.workdir = posix.resolve(
            state.config.workdir,
            expand(instruction.text.trim(), variables(state), line),
          );
          await ensureDir(join(root, state.config.workdir));
          break;
        case "COPY": {
          const parts = words(instruction, state);
          const dest = parts.pop();
          if (dest === undefined || parts.length === 0)
            throw new Error(`Dockerfile:${line}: COPY <src>... <dest>`);
          const from = flags.get("from");
          if (from === undefined) {
            await copyFromContext(parts, dest, state, files, line);
            break;
          }
          const fromRoot = stageRoots.get(from);
          if (fromRoot === undefined) throw new Error(`Dockerfile:${line}: no earlier stage named ${from}`);
          for (const source of parts) {
            const target = join(root, posix.resolve(state.config.workdir, dest));
            const sourcePath = join(fromRoot, posix.resolve("/", source));
            if ((await stat(sourcePath)).isDirectory()) {
              await ensureDir(target);
              await cp(sourcePath, target, {
                recursive: true,
                verbatimSymlinks: true,
                preserveTimestamps: true,
              });
            } else {
              await ensureDir(dirname(target));
              await copyFile(sourcePath, target);
            }
          }
          break;
        }
        case "RUN": {
          if (instruction.exec !== undefined)
            throw new Error(`Dockerfile:${line}: RUN in exec form is not replayed`);
          const command = expand(instruction.text, variables(state), line);
          if (absolutePathInCommand.test(command)) {
            throw new Error(
              `Dockerfile:${line}: RUN with an absolute path cannot be replayed outside the image`,
            );
          }
          if (base.runToolsDir === undefined)
            throw new Error(`Dockerfile:${line}: RUN on ${stage.from}, which has no shell`);
          const env = {
            ...buildMachineNetwork(),
            ...state.config.env,
            PATH: `${base.runToolsDir}:${state.config.env.PATH ?? ""}`,
            HOME: join(root, "root"),
            // the builder's cache mount, as it were: the machine's npm cache, outside the image
            npm_config_cache: npmCache,
            npm_config_userconfig: join(homedir(), ".npmrc"),
            npm_config_update_notifier: "false",
          };
          log += `$ ${command}\n`;
          log += await runShell(
            command,
            join(root, state.config.workdir),
            env,
            options.runTimeoutMs ?? 600_000,
          );
          break;
        }
        case "ENV":
          for (const [name, value] of keyValuePairs(instruction.text, line)) {
            state.config.env[name] = expand(value, variables(state), line);
          }
          break;
        case "LABEL":
          for (const [name, value] of keyValuePairs(instruction.text, line))
            state.config.labels[name] = value;
          break;
        case "USER":
          state.config.user = expand(instruction.text.trim(), variables(state), line);
          break;
        case "EXPOSE":
          state.config.exposedPorts.push(...words(instruction, state));
          break;
        case "ENTRYPOINT":
        case "CMD": {
          // a distroless base has no shell to run the shell form with
          if (instruction.exec === undefined)
            throw new Error(`Dockerfile:${line}: ${keyword} must use the exec form`);
          if (keyword === "ENTRYPOINT") {
            state.config.entrypoint = instruction.exec;
            state.config.cmd = [];
          } else state.config.cmd = instruction.exec;
          break;
        }
        default:
          throw new Error(`Dockerfile:${line}: ${keyword} is not replayed`);
      }
    }
    stageRoots.set(label, root);
    stageMs[label] = Date.now() - started;
    last = state;
  }
  if (last === undefined) throw new Error("no stage");
  return { root: last.root, config: last.config, log, stageMs };
}
