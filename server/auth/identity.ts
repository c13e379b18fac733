// Who is asking: resolved from the request before any share or table is touched. Every later step
// sees shares only through `canSee`, so a share that is not granted looks exactly like one that
// does not exist.

export interface Identity {
  recipient: string;
  /** What partition filters read as CURRENT_RECIPIENT('name'). */
  properties: Readonly<Record<string, string>>;
  canSee(shareName: string): boolean;
}

export const everyShare = (recipient: string): Identity => ({
  recipient,
  properties: {},
  canSee: () => true,
});

/** An identity that sees the named shares, matched ignoring case as share names are. */
export function grantedShares(
  recipient: string,
  shares: readonly string[],
  properties: Readonly<Record<string, string>> = {},
): Identity {
  const granted = new Set(shares.map((share) => share.toLowerCase()));
  return { recipient, properties, canSee: (shareName) => granted.has(shareName.toLowerCase()) };
}
