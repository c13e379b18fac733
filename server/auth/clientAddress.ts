// The address a request comes from: the socket's peer, unless that peer is a proxy the
// configuration trusts, in which case X-Forwarded-For is read from the right, past every trusted
// hop, to the first address no trusted proxy vouches for. A client can prepend anything it likes
// to the header, so only the hops the trusted proxies appended count.
import { isIP } from "node:net";
import type { AddressRanges } from "./addressRanges.ts";

function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: AddressRanges | undefined,
): string {
  let client = unmapped(socketAddress ?? "");
  if (!trustedProxies || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((hop) => unmapped(hop.trim()));
  while (trustedProxies.includes(client)) {
    const next = hops.pop();
    if (next === undefined || isIP(next) === 0) return client;
    client = next;
  }
  return client;
}
