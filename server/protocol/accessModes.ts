// How recipients may read a table (PROTOCOL.md "Access Modes"): through presigned URLs from Query
// Table only. Directory access (temporary table credentials) is not offered, so `dir` is never
// listed and no table location is given; clients that support only directory access must refuse.
export const accessModes: readonly ["url"] = ["url"];
