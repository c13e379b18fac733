// Who is asking: resolved from the request before any share or table is touched. Every later step
// sees shares only through `canSee`, so a share that is not granted looks exactly like one that
// does not exist.

export interface Identity {
  recipient: string;
  /** What partition filters read as CURRENT_RECIPIENT('name'). */
  properties: Readonly<Record<string, string>>;
  canSee(shareName: string): boolean;
  /** May ask for temporary credentials of tables that offer directory access. */
  directoryAccess: boolean;
}

/** The shared token or anonymous access: every share, and never directory access, which is granted per recipient. */
export const everyShare = (recipient: string): Identity => ({
  recipient,
  properties: {},
  canSee: () => true,
  directoryAccess: false,
});

export interface Grants {
  shares: readonly string[];
  directoryAccess: boolean;
  /** What partition filters read as CURRENT_RECIPIENT('name'). */
  properties?: Readonly<Record<string, string>>;
}

/** An identity that sees the named shares, matched ignoring case as share names are. */
export function grantedShares(recipient: string, grants: Grants): Identity {
  const granted = new Set(grants.shares.map((share) => share.toLowerCase()));
  return {
    recipient,
    properties: grants.properties ?? {},
    canSee: (shareName) => granted.has(shareName.toLowerCase()),
    directoryAccess: grants.directoryAccess,
  };
}
