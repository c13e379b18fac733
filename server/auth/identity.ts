// Who is asking: resolved from the request before any share or table is touched. Every later step
// sees shares only through `canSee`, so a share that is not granted looks exactly like one that
// does not exist.

export interface Identity {
  recipient: string;
  canSee(shareName: string): boolean;
  /** May ask for temporary credentials of tables that offer directory access. */
  directoryAccess: boolean;
}

/** The shared token or anonymous access: every share, and never directory access, which is granted per recipient. */
export const everyShare = (recipient: string): Identity => ({
  recipient,
  canSee: () => true,
  directoryAccess: false,
});

export interface Grants {
  shares: readonly string[];
  directoryAccess: boolean;
}

/** An identity that sees the named shares, matched ignoring case as share names are. */
export function grantedShares(recipient: string, grants: Grants): Identity {
  const granted = new Set(grants.shares.map((share) => share.toLowerCase()));
  return {
    recipient,
    canSee: (shareName) => granted.has(shareName.toLowerCase()),
    directoryAccess: grants.directoryAccess,
  };
}
