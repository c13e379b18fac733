// The base images the Dockerfile names, as this machine stands in for them: what each lays into a
// stage's root (only what the build and the entry points touch), its environment and user. The
// stand-ins are exact where it matters: the Node binary is the very version the Dockerfile pins
// (checked), and the runtime's C libraries are Debian 12's (checked), as in the distroless base.
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

export interface BaseImage {
  lay: (root: string) => Promise<void>;
  env: Record<string, string>;
  user: string;
  /** Folder with this machine's node and npm, which RUN commands use in place of the image's own. */
  runToolsDir?: string;
}

const run = promisify(execFile);
const debianPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

async function copyInto(root: string, hostPath: string, imagePath = hostPath, mode?: number): Promise<void> {
  const target = join(root, imagePath);
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  await copyFile(hostPath, target);
  if (mode !== undefined) await chmod(target, mode);
}

function nodeImage(version: string): BaseImage {
  if (process.versions.node !== version) {
    throw new Error(`the Dockerfile pins Node ${version} but the replay runs on ${process.versions.node}`);
  }
  return {
    lay: (root) => copyInto(root, process.execPath, "/usr/local/bin/node", 0o755),
    env: { PATH: debianPath, NODE_VERSION: version },
    user: "0",
    runToolsDir: dirname(process.execPath),
  };
}

/** The shared libraries the node binary loads, and its ELF interpreter, as this machine resolves them. */
async function nodeLibraries(): Promise<{ hostPath: string; imagePath: string }[]> {
  const { stdout } = await run("ldd", [process.execPath]);
  const libraries: { hostPath: string; imagePath: string }[] = [];
  for (const line of stdout.split("\n")) {
    const linked = /^\s*(\S+)\s+=>\s+(\/\S+)/.exec(line);
    if (linked)
      libraries.push({ hostPath: linked[2] as string, imagePath: `/lib/x86_64-linux-gnu/${linked[1]}` });
    const interpreter = /^\s*(\/lib64\/\S+)\s+\(/.exec(line);
    if (interpreter)
      libraries.push({ hostPath: interpreter[1] as string, imagePath: interpreter[1] as string });
  }
  return libraries;
}

const distrolessCc: BaseImage = {
  lay: async (root) => {
    const debian = (await readFile("/etc/debian_version", "utf8")).trim();
    if (!debian.startsWith("12."))
      throw new Error(`distroless cc-debian12 is stood in for by Debian 12, not ${debian}`);
    for (const library of await nodeLibraries())
      await copyInto(root, library.hostPath, library.imagePath, 0o755);
    await copyInto(root, "/etc/ssl/certs/ca-certificates.crt", undefined, 0o644);
    await mkdir(join(root, "etc"), { recursive: true, mode: 0o755 });
    await writeFile(
      join(root, "etc", "passwd"),
      "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
        "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
      { mode: 0o644 },
    );
    await writeFile(join(root, "etc", "group"), "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n", {
      mode: 0o644,
    });
    await mkdir(join(root, "home", "nonroot"), { recursive: true, mode: 0o700 });
    await run("chown", ["65532:65532", join(root, "home", "nonroot")]);
    await mkdir(join(root, "tmp"), { recursive: true });
    await chmod(join(root, "tmp"), 0o1777);
  },
  env: { PATH: debianPath, SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" },
  user: "65532",
};

export function baseImage(reference: string): BaseImage {
  const node = /^node:(\d+\.\d+\.\d+)-bookworm-slim$/.exec(reference);
  if (node) return nodeImage(node[1] as string);
  if (reference === "gcr.io/distroless/cc-debian12:nonroot") return distrolessCc;
  throw new Error(`no stand-in for base image ${reference}`);
}
