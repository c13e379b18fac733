// Runs an image's process as a container runtime with Kubernetes' restricted settings would: in its
// own mount namespace, the image's root filesystem bind-mounted read-only as `/`
// (readOnlyRootFilesystem), /proc and /dev from the host, volumes bound at their mount paths, then
// as the image's non-root UID with no capabilities, in the working directory, with exactly the
// image's environment plus the container's. The network is the host's loopback.
import { execFile } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type RunningProcess, startProcess } from "../ground/process.ts";
import type { ImageConfig } from "./replayBuild.ts";

export interface VolumeMount {
  hostPath: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  name: string;
  root: string;
  image: ImageConfig;
  /** Kubernetes `command` (replaces ENTRYPOINT) and `args` (replace CMD). */
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Record<string, string>;
  volumeMounts?: VolumeMount[];
  ready: (output: string) => Promise<boolean> | boolean;
  readyTimeoutMs?: number;
}

const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

async function userIds(root: string, user: string): Promise<{ uid: number; gid: number }> {
  const [name = "", group] = user.split(":");
  const passwd = await readFile(join(root, "etc", "passwd"), "utf8").catch(() => "");
  const entry = passwd
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[0] === name || fields[2] === name);
  const uid = /^\d+$/.test(name) ? Number(name) : Number(entry?.[2]);
  const gid = group !== undefined ? Number(group) : Number(entry?.[3] ?? 0);
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error(`cannot resolve user ${user} in the image`);
  return { uid, gid };
}

/** The process argv under Kubernetes' rules: command replaces ENTRYPOINT, args replace CMD. */
export function containerArgv(image: ImageConfig, command?: string[], args?: string[]): string[] {
  if (command !== undefined) return [...command, ...(args ?? [])];
  return [...image.entrypoint, ...(args ?? image.cmd)];
}

interface Invocation {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

async function invocation(
  spec: Omit<ContainerSpec, "ready" | "readyTimeoutMs" | "name">,
): Promise<Invocation> {
  const { uid, gid } = await userIds(spec.root, spec.image.user);
  if (uid === 0) throw new Error("the image runs as root");
  const mounts = spec.volumeMounts ?? [];
  // mount points exist in the image's folder before it turns read-only, as a runtime makes them
  for (const path of ["/proc", "/dev", ...mounts.map((mount) => mount.mountPath)]) {
    await mkdir(join(spec.root, path), { recursive: true, mode: 0o755 });
  }
  const root = quote(spec.root);
  const script = [
    "set -e",
    `/usr/bin/mount --bind ${root} ${root}`,
    `/usr/bin/mount -o remount,bind,ro ${root}`,
    `/usr/bin/mount --rbind /proc ${quote(join(spec.root, "proc"))}`,
    `/usr/bin/mount --rbind /dev ${quote(join(spec.root, "dev"))}`,
    ...mounts.flatMap((mount) => {
      const target = quote(join(spec.root, mount.mountPath));
      return [
        `/usr/bin/mount --bind ${quote(mount.hostPath)} ${target}`,
        ...(mount.readOnly ? [`/usr/bin/mount -o remount,bind,ro ${target}`] : []),
      ];
    }),
    `exec /usr/bin/env -u PWD /usr/bin/unshare --root=${root} --wd=${quote(spec.workingDir ?? spec.image.workdir)}` +
      ` --setgid ${gid} --setuid ${uid} -- "$@"`,
  ].join("\n");
  const argv = containerArgv(spec.image, spec.command, spec.args);
  if (argv.length === 0) throw new Error("the container has nothing to run");
  return {
    command: "/usr/bin/unshare",
    args: ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "container", ...argv],
    env: { ...spec.image.env, ...spec.env },
  };
}

/** Starts a long-running container process; ready as the spec says. */
export async function startContainer(spec: ContainerSpec): Promise<RunningProcess> {
  const { command, args, env } = await invocation(spec);
  return startProcess({
    name: spec.name,
    command,
    args,
    env,
    ready: spec.ready,
    ...(spec.readyTimeoutMs !== undefined ? { readyTimeoutMs: spec.readyTimeoutMs } : {}),
  });
}

/** Runs a container process to its end (bounded), for one-shot commands. */
export async function runContainer(
  spec: Omit<ContainerSpec, "ready" | "readyTimeoutMs" | "name">,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { command, args, env } = await invocation(spec);
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}
