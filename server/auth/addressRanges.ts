// IPv4 and IPv6 address ranges (CIDRs) from the configuration, and whether a client address falls
// in one. IPv4 clients that reach a dual-stack socket as IPv4-mapped IPv6 (::ffff:a.b.c.d) match
// IPv4 ranges.
import { BlockList, isIP } from "node:net";

export interface AddressRanges {
  includes(address: string): boolean;
}

interface Cidr {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** A CIDR (or a bare address, a range of one); `undefined` when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = "", prefixText, ...rest] = text.trim().split("/");
  if (rest.length > 0) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

export function addressRanges(cidrs: readonly string[]): AddressRanges {
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`not an address range: ${text}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return {
    includes(address) {
      const version = isIP(address);
      if (version === 0) return false;
      return list.check(address, version === 4 ? "ipv4" : "ipv6");
    },
  };
}
