/**
 * The registry's joined view of the mesh: plain, immutable data that translators, analyzers and
 * the console read. Every map is keyed the way the workload API names things (workload uid
 * `Kubernetes//Pod/<ns>/<name>`, service `<ns>/<hostname>`), and a snapshot never changes once
 * handed out: the registry builds the next one beside it, sharing what did not change.
 */
import type { AuthorizationPolicy, FaultInjection, HttpRoute, PeerAuthentication, ReferenceGrant } from '@ambit/shared';
import type { CompiledPolicy, CompiledPolicyWithTarget, CompileNote } from '@ambit/shared/authz';
import type { GrpcRoute } from '@ambit/shared/resources/grpc-route';

export interface MeshOptions {
  /** Istio's root namespace: its policies apply mesh-wide. */
  rootNamespace: string;
  trustDomain: string;
  /** Cluster DNS suffix: services are `<name>.<ns>.svc.<domainSuffix>`. */
  domainSuffix: string;
  /** The workload API's cluster id (Istio's default is `Kubernetes`). */
  clusterId: string;
}

export const DEFAULT_MESH_OPTIONS: MeshOptions = {
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  domainSuffix: 'cluster.local',
  clusterId: 'Kubernetes',
};

export type Labels = Readonly<Record<string, string>>;

export interface NamespaceInfo {
  name: string;
  labels: Labels;
  /** Labelled `istio.io/dataplane-mode: ambient`. */
  ambient: boolean;
}

export interface Locality {
  region: string;
  zone: string;
  subzone: string;
}

export interface NodeInfo {
  name: string;
  labels: Labels;
  /** `status.addresses` IPs, InternalIP first. */
  addresses: readonly string[];
  /** From the node's topology labels; absent when it has none. */
  locality?: Locality;
}

/** Workload API `AppProtocol`, when a port declares one (appProtocol, or a `http`/`http2`/`grpc` name prefix). */
export type AppProtocol = 'HTTP11' | 'HTTP2' | 'GRPC';

export interface ServicePortInfo {
  name?: string;
  port: number;
  /** As written: a number, or a container port name resolved per workload. Defaults to `port`. */
  targetPort: number | string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: AppProtocol;
}

/** Where a waypoint is reached: the hostname of its Service (or an address), on the HBONE port. */
export interface GatewayAddressInfo {
  hostname?: { namespace: string; hostname: string };
  address?: string;
  hboneMtlsPort: number;
}

/** A waypoint that serves some traffic, and why it was chosen. */
export interface WaypointBinding {
  /** `<ns>/<name>` of the waypoint Gateway. */
  key: string;
  namespace: string;
  name: string;
  address: GatewayAddressInfo;
  /** The object's own `istio.io/use-waypoint` label, or its namespace's. */
  source: 'self' | 'namespace';
}

export interface ServiceInfo {
  /** `<ns>/<hostname>`, the workload API's resource key. */
  key: string;
  name: string;
  namespace: string;
  hostname: string;
  labels: Labels;
  /** Pods in the namespace whose labels match are its endpoints; absent: none (no selector). */
  selector?: Labels;
  /** Cluster-wide VIPs from `spec.clusterIP` / `spec.clusterIPs` (not `None`). */
  clusterAddresses: readonly string[];
  /** Per-node VIPs (`status.nodeAddresses`, written by the embedded mesh): the address each node's ztunnel listens on. */
  nodeAddresses: Readonly<Record<string, string>>;
  /** Every VIP: cluster-wide and per-node, sorted. Empty for a headless service. */
  addresses: readonly string[];
  ports: readonly ServicePortInfo[];
  /** In an ambient namespace. */
  ambient: boolean;
  /** `<ns>/<name>` of the waypoint this Service implements (it carries the gateway-name label). */
  implementsWaypoint?: string;
  waypoint?: WaypointBinding;
  /** Why a requested waypoint is not used (missing, no address, does not serve service traffic). */
  waypointProblem?: string;
  creationTimestamp?: string;
}

export type WorkloadStatus = 'HEALTHY' | 'UNHEALTHY';
export type WorkloadType = 'DEPLOYMENT' | 'CRONJOB' | 'POD' | 'JOB';

/** A service port as one workload serves it: the target port resolved against its container ports. */
export interface WorkloadPort {
  servicePort: number;
  targetPort: number;
  appProtocol?: AppProtocol;
}

export interface WorkloadInfo {
  /** `Kubernetes//Pod/<ns>/<name>`. */
  uid: string;
  name: string;
  namespace: string;
  node?: string;
  /** `status.podIPs`, else `status.podIP`. */
  addresses: readonly string[];
  serviceAccount: string;
  trustDomain: string;
  /** `spiffe://<trust-domain>/ns/<ns>/sa/<service-account>`. */
  identity: string;
  labels: Labels;
  canonicalName: string;
  canonicalRevision: string;
  workloadName: string;
  workloadType: WorkloadType;
  status: WorkloadStatus;
  /** Container port name → number, for named service target ports. */
  namedPorts: Readonly<Record<string, number>>;
  /** Services this workload is an endpoint of, key `<ns>/<hostname>` (sorted). */
  services: Readonly<Record<string, readonly WorkloadPort[]>>;
  /** Captured by the ambient mesh (namespace enrolled, pod not opted out). */
  ambient: boolean;
  /** `<ns>/<name>` of the waypoint this pod implements. */
  implementsWaypoint?: string;
  waypoint?: WaypointBinding;
  waypointProblem?: string;
  locality?: Locality;
}

export type WaypointTrafficType = 'service' | 'workload' | 'all' | 'none';

export interface WaypointInfo {
  /** `<ns>/<name>` of the Gateway. */
  key: string;
  namespace: string;
  name: string;
  gatewayClassName: string;
  /** `istio.io/waypoint-for`, default `service`. */
  trafficType: WaypointTrafficType;
  /** Key of the waypoint's own Service (found by the gateway-name label). */
  service?: string;
  /** Absent until the waypoint has a Service (or a Gateway address): nothing can bind to it yet. */
  address?: GatewayAddressInfo;
  /** The Gateway's listeners (a waypoint has `mesh`, port 15008, protocol HBONE); HTTPRoutes attach to them. */
  listeners: readonly WaypointListener[];
  /** Uids of the pods that implement it. */
  pods: readonly string[];
}

export interface WaypointListener {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
}

export interface PolicyModel {
  authorizationPolicies: ReadonlyMap<string, AuthorizationPolicy>;
  peerAuthentications: ReadonlyMap<string, PeerAuthentication>;
  /**
   * Everything ztunnels enforce, as `istio.security.Authorization`, keyed `<ns>/<name>`: the
   * AuthorizationPolicies compiled for ztunnel, Istio's static STRICT policy and the converted
   * port-level PeerAuthentications.
   */
  ztunnel: ReadonlyMap<string, CompiledPolicy>;
  /** AuthorizationPolicies attached with targetRefs, compiled for the waypoint, keyed `<ns>/<name>`. */
  waypoint: ReadonlyMap<string, CompiledPolicyWithTarget>;
  /** What compiling each policy changed or refused, keyed `<Kind>/<ns>/<name>`; only policies with notes. */
  notes: ReadonlyMap<string, readonly CompileNote[]>;
  /** Per workload uid: the `ztunnel` policies (any scope) that apply at its ztunnel, sorted. */
  workloadPolicies: ReadonlyMap<string, readonly string[]>;
  /** Per waypoint key: targetRef policies on its Gateway or GatewayClass, sorted. */
  waypointPolicies: ReadonlyMap<string, readonly string[]>;
  /** Per service key (bound to a waypoint): targetRef policies on the Service, enforced by that waypoint. */
  servicePolicies: ReadonlyMap<string, readonly string[]>;
}

export interface MeshSnapshot {
  /** Store resourceVersion this snapshot reflects. */
  readonly revision: number;
  readonly options: MeshOptions;
  readonly namespaces: ReadonlyMap<string, NamespaceInfo>;
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /** Keyed `<ns>/<hostname>`. */
  readonly services: ReadonlyMap<string, ServiceInfo>;
  /** Keyed by uid. */
  readonly workloads: ReadonlyMap<string, WorkloadInfo>;
  /** Keyed `<ns>/<name>` of the Gateway. */
  readonly waypoints: ReadonlyMap<string, WaypointInfo>;
  /** Service key → uids of the workloads it selects, sorted. */
  readonly endpoints: ReadonlyMap<string, readonly string[]>;
  /** HTTPRoutes as stored, keyed `<ns>/<name>`. */
  readonly routes: ReadonlyMap<string, HttpRoute>;
  /** GRPCRoutes as stored, keyed `<ns>/<name>` (a map of their own: the names may repeat an HTTPRoute's). */
  readonly grpcRoutes: ReadonlyMap<string, GrpcRoute>;
  /** Ambit FaultInjection objects (HTTPRoute ExtensionRef targets), keyed `<ns>/<name>`. */
  readonly faults: ReadonlyMap<string, FaultInjection>;
  /** Gateway API ReferenceGrants, keyed `<ns>/<name>`: which cross-namespace backendRefs are permitted. */
  readonly referenceGrants: ReadonlyMap<string, ReferenceGrant>;
  readonly policies: PolicyModel;
}

/** Parts of the model a change can touch; the xDS layer maps them to resource types. */
export type ModelPart =
  | 'namespaces'
  | 'nodes'
  | 'services'
  | 'endpoints'
  | 'workloads'
  | 'waypoints'
  | 'routes'
  | 'policies'
  | 'workloadPolicies'
  | 'targetedPolicies';

export interface RegistryChange {
  readonly snapshot: MeshSnapshot;
  /** The parts that changed. */
  readonly kinds: ReadonlySet<ModelPart>;
  /**
   * The keys that changed in each part: namespace and node names, service keys (`services`,
   * `endpoints`, `targetedPolicies`), workload uids (`workloads`, `workloadPolicies`), waypoint,
   * route and policy keys (`<ns>/<name>`).
   */
  readonly keys: ReadonlyMap<ModelPart, ReadonlySet<string>>;
}

export function serviceHostname(name: string, namespace: string, domainSuffix: string): string {
  return `${name}.${namespace}.svc.${domainSuffix}`;
}

export function serviceKeyOf(name: string, namespace: string, domainSuffix: string): string {
  return `${namespace}/${serviceHostname(name, namespace, domainSuffix)}`;
}

export function workloadUid(namespace: string, name: string): string {
  return `Kubernetes//Pod/${namespace}/${name}`;
}
