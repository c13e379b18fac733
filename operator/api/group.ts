// The API group and version of the operator's custom resources, named once.
export const group = "sharing.delta-sharing-operator.dev";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;

/** Field manager for every server-side apply the operator makes. */
export const fieldManager = "delta-sharing-operator";
