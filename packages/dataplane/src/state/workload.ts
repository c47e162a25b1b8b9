/**
 * A workload as ztunnel knows it: the fields of Istio's `istio.workload.Workload`, with addresses
 * as text and the SPIFFE identity derived once when the workload is stored.
 */

export type TunnelProtocol = 'NONE' | 'HBONE';
export type WorkloadStatus = 'HEALTHY' | 'UNHEALTHY';

/** `Port { service_port = 1; target_port = 2; }`: a target port of 0 means "same as the service port". */
export interface PortMapping {
  servicePort: number;
  targetPort: number;
}

/** `GatewayAddress`: a waypoint reached by service hostname or by address, on its HBONE port. */
export type GatewayAddress =
  | { hostname: { namespace: string; hostname: string }; hboneMtlsPort: number; address?: undefined }
  | { address: string; hboneMtlsPort: number; hostname?: undefined };

export interface WorkloadInput {
  /** `Kubernetes//Pod/<ns>/<name>`. */
  uid: string;
  name: string;
  namespace: string;
  /** IPv4 or IPv6 addresses as text. */
  addresses: readonly string[];
  node: string;
  serviceAccount: string;
  trustDomain: string;
  /** HBONE for workloads in the ambient mesh; NONE for workloads outside it (plain TCP). */
  tunnelProtocol?: TunnelProtocol;
  network?: string;
  canonicalName?: string;
  canonicalRevision?: string;
  /** The Deployment (or other owner) name; telemetry's `*_workload` label. */
  workloadName?: string;
  waypoint?: GatewayAddress;
  status?: WorkloadStatus;
  /** Services this workload is an endpoint of: `namespace/hostname` → port mappings. */
  services?: Readonly<Record<string, readonly PortMapping[]>>;
  /** `namespace/name` of the selector-based policies that apply to this workload. */
  authorizationPolicies?: readonly string[];
  clusterId?: string;
}

export interface Workload extends Required<Omit<WorkloadInput, 'waypoint' | 'network' | 'clusterId'>> {
  readonly waypoint?: GatewayAddress;
  readonly network?: string;
  readonly clusterId?: string;
  /** `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`. */
  readonly identity: string;
}

export function toWorkload(input: WorkloadInput): Workload {
  const workload: Workload = {
    ...input,
    tunnelProtocol: input.tunnelProtocol ?? 'HBONE',
    canonicalName: input.canonicalName ?? input.workloadName ?? input.name,
    canonicalRevision: input.canonicalRevision ?? 'latest',
    workloadName: input.workloadName ?? input.name,
    status: input.status ?? 'HEALTHY',
    services: input.services ?? {},
    authorizationPolicies: input.authorizationPolicies ?? [],
    identity: `spiffe://${input.trustDomain}/ns/${input.namespace}/sa/${input.serviceAccount}`,
  };
  return Object.freeze(workload);
}
