/**
 * Label and annotation keys the registry reads, as Istio, Kubernetes and the Gateway API spell
 * them, plus Ambit's own (`ambit.dev/...`) written by the embedded supervisor.
 */

/** Namespace (or pod) label that enrolls workloads in the ambient mesh; pods may opt out with `none`. */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** `<waypoint name>` or `none`, on a Namespace, Service or Pod. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** Namespace of the waypoint named by `istio.io/use-waypoint`, when it is not the object's own. */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
/** On a waypoint Gateway: which traffic it serves — service (default), workload, all or none. */
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';
/** On the Service and Pods that implement a Gateway (waypoint). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';

export const CANONICAL_NAME_LABELS = ['service.istio.io/canonical-name', 'app.kubernetes.io/name', 'app'] as const;
export const CANONICAL_REVISION_LABELS = ['service.istio.io/canonical-revision', 'app.kubernetes.io/version', 'version'] as const;
export const DEFAULT_CANONICAL_REVISION = 'latest';

/** Deployment that owns a pod, written by the embedded supervisor (label or annotation). */
export const DEPLOYMENT_LABEL = 'ambit.dev/deployment';
/** Set by the Deployment controller on its pods; the ReplicaSet is `<deployment>-<hash>`. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export const REGION_LABEL = 'topology.kubernetes.io/region';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const SUBZONE_LABEL = 'topology.istio.io/subzone';

/** HBONE port of waypoints and ztunnels. */
export const HBONE_PORT = 15008;

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** Labels or annotations of an object's metadata, never undefined. */
export function stringMap(value: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  return value ?? EMPTY;
}

/** The value of the first of `keys` present (non-empty) in `labels`. */
export function firstLabel(labels: Readonly<Record<string, string>>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = labels[key];
    if (value) return value;
  }
  return undefined;
}
