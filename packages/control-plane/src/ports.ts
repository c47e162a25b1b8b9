/**
 * The control plane's ports, as Istio numbers them. A module of its own so the CLI can name
 * defaults without loading the control plane.
 */
export const DEFAULT_PORTS = { xds: 15010, secureXds: 15012, monitoring: 15014 } as const;
