// A real OAuth 2.0 / OpenID Connect authorization server on loopback (oidc-provider from npm) for
// federated recipients: the client credentials grant, discovery and JWKS. oidc-provider makes JWT
// access tokens only for a resource indicator and the official clients send none, so every client
// gets a default resource whose tokens are JWTs. Its signing keys can be rotated and the server
// stopped and started again on the same port, to test what a sharing server does meanwhile.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { errors as providerErrors } from "oidc-provider";
import { freePort } from "./ports.ts";

export const sharingAudience = "https://sharing.test/delta-sharing";
/** A second resource server: tokens for it carry another audience. */
export const otherAudience = "https://other.test/api";
/** Tokens for this resource indicator carry the sharing audience but live only a second. */
export const shortLivedResource = "urn:test:short-lived";
export const sharingScope = "delta-sharing/read";

export interface IssuerClient {
  clientId: string;
  clientSecret: string;
}

export interface OidcIssuer {
  issuer: string;
  tokenEndpoint: string;
  clients: IssuerClient[];
  /** Requests the issuer answered, by path (/jwks, /.well-known/openid-configuration, /token). */
  requests: Map<string, number>;
  /** A token by the client credentials grant, as the official clients ask for it. */
  token(client: IssuerClient, options?: { resource?: string; scope?: string }): Promise<string>;
  /** New signing key first; the old one stays published unless `dropOld`. */
  rotateKeys(dropOld: boolean): Promise<void>;
  /** The issuer stops answering at all (connections refused). */
  stop(): Promise<void>;
  /** Answers again on the same port with the same keys. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(8).toString("hex"), alg: "RS256", use: "sig" };
}

function makeProvider(issuer: string, clients: IssuerClient[], keys: JWK[]): Provider {
  const resourceServer = (indicator: string) => ({
    scope: sharingScope,
    audience: indicator === otherAudience ? otherAudience : sharingAudience,
    accessTokenTTL: indicator === shortLivedResource ? 1 : 300,
    accessTokenFormat: "jwt" as const,
    jwt: { sign: { alg: "RS256" as const } },
  });
  return new Provider(issuer, {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      scope: sharingScope,
    })),
    scopes: [sharingScope],
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 300 },
    jwks: { keys: keys as never },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => sharingAudience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (![sharingAudience, otherAudience, shortLivedResource].includes(indicator)) {
            throw new providerErrors.InvalidTarget();
          }
          return resourceServer(indicator);
        },
      },
    },
  });
}

/** Starts an issuer with these client ids (each gets a fresh secret). */
export async function startOidcIssuer(clientIds: string[]): Promise<OidcIssuer> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clients = clientIds.map((clientId) => ({
    clientId,
    clientSecret: randomBytes(24).toString("base64url"),
  }));
  let keys = [await signingKey()];
  let provider = makeProvider(issuer, clients, keys);
  let server: Server | undefined;
  const requests = new Map<string, number>();

  const start = async () => {
    const listening = createServer((request, response) => {
      const path = new URL(request.url ?? "/", issuer).pathname;
      requests.set(path, (requests.get(path) ?? 0) + 1);
      provider.callback()(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(port, "127.0.0.1", () => resolve());
    });
    server = listening;
  };
  const stop = async () => {
    const stopping = server;
    server = undefined;
    if (!stopping) return;
    stopping.closeAllConnections();
    await new Promise<void>((resolve) => stopping.close(() => resolve()));
  };
  await start();
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    clients,
    requests,
    async token(client, options = {}) {
      const body = new URLSearchParams({
        grant_type: "client_credentials",
        scope: options.scope ?? sharingScope,
      });
      if (options.resource) body.set("resource", options.resource);
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json()) as { access_token?: string; error?: string };
      if (!answer.access_token) throw new Error(`the issuer refused a token: ${answer.error}`);
      return answer.access_token;
    },
    async rotateKeys(dropOld) {
      keys = dropOld ? [await signingKey()] : [await signingKey(), ...keys];
      provider = makeProvider(issuer, clients, keys);
    },
    stop,
    start,
    close: stop,
  };
}
