// The credentials a throwaway kube-apiserver needs: a CA and a serving certificate for 127.0.0.1
// (openssl, since node:crypto cannot issue certificates), a service-account signing key pair and a
// static token file with one admin in system:masters. Everything is fresh per ground.
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface KubePki {
  caCertPath: string;
  caCertPem: string;
  servingCertPath: string;
  servingKeyPath: string;
  serviceAccountPublicKeyPath: string;
  serviceAccountPrivateKeyPath: string;
  tokenFilePath: string;
  adminToken: string;
}

const servingNames = [
  "IP:127.0.0.1",
  "IP:10.96.0.1",
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function issueCertificates(dir: string): Promise<void> {
  const ca = ["-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt")];
  await run("openssl", ["req", "-x509", ...ecKey, ...ca, "-days", "2", "-subj", "/CN=dso-test-ground-ca"]);
  await run("openssl", [
    "req",
    "-x509",
    "-CA",
    join(dir, "ca.crt"),
    "-CAkey",
    join(dir, "ca.key"),
    ...ecKey,
    "-keyout",
    join(dir, "apiserver.key"),
    "-out",
    join(dir, "apiserver.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=kube-apiserver",
    "-addext",
    `subjectAltName=${servingNames.join(",")}`,
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-addext",
    "keyUsage=critical,digitalSignature",
    "-addext",
    "extendedKeyUsage=serverAuth",
  ]);
}

export async function createKubePki(dir: string): Promise<KubePki> {
  await issueCertificates(dir);

  const serviceAccount = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const serviceAccountPublicKeyPath = join(dir, "sa.pub");
  const serviceAccountPrivateKeyPath = join(dir, "sa.key");
  await writeFile(serviceAccountPublicKeyPath, serviceAccount.publicKey, { mode: 0o600 });
  await writeFile(serviceAccountPrivateKeyPath, serviceAccount.privateKey, { mode: 0o600 });

  const adminToken = randomBytes(24).toString("hex");
  const tokenFilePath = join(dir, "tokens.csv");
  // token,user,uid,groups
  await writeFile(tokenFilePath, `${adminToken},ground-admin,ground-admin,system:masters\n`, { mode: 0o600 });

  const caCertPath = join(dir, "ca.crt");
  return {
    caCertPath,
    caCertPem: await readFile(caCertPath, "utf8"),
    servingCertPath: join(dir, "apiserver.crt"),
    servingKeyPath: join(dir, "apiserver.key"),
    serviceAccountPublicKeyPath,
    serviceAccountPrivateKeyPath,
    tokenFilePath,
    adminToken,
  };
}
