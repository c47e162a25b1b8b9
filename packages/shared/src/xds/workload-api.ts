// Istio's workload API messages (istio.workload.Address, istio.security.Authorization) as plain
// TypeScript objects, and their protobuf codec. Field names are the proto names in camelCase;
// enums are their names; IP addresses are raw bytes (see ipToBytes).
import type protobuf from 'protobufjs';
import type { Any } from './any';
import { workloadApiSchemas } from './schemas';
import { TypeUrl } from './type-urls';

export type TunnelProtocol = 'NONE' | 'HBONE';
export type WorkloadStatus = 'HEALTHY' | 'UNHEALTHY';
export type WorkloadType = 'DEPLOYMENT' | 'CRONJOB' | 'POD' | 'JOB';
export type AppProtocol = 'UNKNOWN' | 'HTTP11' | 'HTTP2' | 'GRPC';
export type LoadBalancingScope = 'UNSPECIFIED_SCOPE' | 'REGION' | 'ZONE' | 'SUBZONE' | 'NODE' | 'CLUSTER' | 'NETWORK';
export type LoadBalancingMode = 'UNSPECIFIED_MODE' | 'STRICT' | 'FAILOVER' | 'PASSTHROUGH';
export type LoadBalancingHealthPolicy = 'ONLY_HEALTHY' | 'ALLOW_ALL';

export interface Port {
  servicePort: number;
  targetPort?: number;
  appProtocol?: AppProtocol;
}

export interface PortList {
  ports: Port[];
}

export interface NetworkAddress {
  network?: string;
  address: Uint8Array;
}

export interface NamespacedHostname {
  namespace: string;
  hostname: string;
}

/** Exactly one of hostname / address. */
export interface GatewayAddress {
  hostname?: NamespacedHostname;
  address?: NetworkAddress;
  hboneMtlsPort?: number;
}

export interface LoadBalancing {
  routingPreference?: LoadBalancingScope[];
  mode?: LoadBalancingMode;
  healthPolicy?: LoadBalancingHealthPolicy;
}

export interface Locality {
  region?: string;
  zone?: string;
  subzone?: string;
}

export interface Service {
  name: string;
  namespace: string;
  hostname: string;
  addresses?: NetworkAddress[];
  ports?: Port[];
  subjectAltNames?: string[];
  waypoint?: GatewayAddress;
  loadBalancing?: LoadBalancing;
}

export interface Workload {
  uid: string;
  name: string;
  namespace: string;
  addresses?: Uint8Array[];
  hostname?: string;
  network?: string;
  tunnelProtocol?: TunnelProtocol;
  trustDomain?: string;
  serviceAccount?: string;
  waypoint?: GatewayAddress;
  node?: string;
  canonicalName?: string;
  canonicalRevision?: string;
  workloadType?: WorkloadType;
  workloadName?: string;
  /** Key `namespace/hostname`. */
  services?: Record<string, PortList>;
  /** `namespace/name` of selector-based policies. */
  authorizationPolicies?: string[];
  status?: WorkloadStatus;
  clusterId?: string;
  locality?: Locality;
}

/** istio.workload.Address: exactly one of workload / service. */
export type Address = { workload: Workload; service?: undefined } | { service: Service; workload?: undefined };

export type AuthorizationScope = 'GLOBAL' | 'NAMESPACE' | 'WORKLOAD_SELECTOR';
export type AuthorizationAction = 'ALLOW' | 'DENY';

/** istio.security.StringMatch: exactly one case. */
export type StringMatch = { exact: string } | { prefix: string } | { suffix: string } | { presence: Record<string, never> };

/** istio.security.Address: a CIDR. */
export interface CidrMatch {
  address: Uint8Array;
  length: number;
}

export interface ServiceAccountMatch {
  namespace: string;
  serviceAccount: string;
}

export interface Match {
  namespaces?: StringMatch[];
  notNamespaces?: StringMatch[];
  principals?: StringMatch[];
  notPrincipals?: StringMatch[];
  sourceIps?: CidrMatch[];
  notSourceIps?: CidrMatch[];
  destinationIps?: CidrMatch[];
  notDestinationIps?: CidrMatch[];
  destinationPorts?: number[];
  notDestinationPorts?: number[];
  serviceAccounts?: ServiceAccountMatch[];
  notServiceAccounts?: ServiceAccountMatch[];
}

/** Matches OR. */
export interface Clause {
  matches: Match[];
}

/** Clauses AND. */
export interface Rule {
  clauses: Clause[];
}

export interface Authorization {
  name: string;
  namespace: string;
  scope?: AuthorizationScope;
  action?: AuthorizationAction;
  /** Rules OR. */
  rules?: Rule[];
  dryRun?: boolean;
}

interface WorkloadApiTypes {
  address: protobuf.Type;
  authorization: protobuf.Type;
}

let types: WorkloadApiTypes | undefined;

function workloadApiTypes(): WorkloadApiTypes {
  if (!types) {
    const root = workloadApiSchemas();
    types = { address: root.lookupType('istio.workload.Address'), authorization: root.lookupType('istio.security.Authorization') };
  }
  return types;
}

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: Number, defaults: false, oneofs: false };

export function encodeAddress(address: Address): Uint8Array {
  const type = workloadApiTypes().address;
  return type.encode(type.fromObject(address)).finish();
}

export function decodeAddress(bytes: Uint8Array): Address {
  const type = workloadApiTypes().address;
  return type.toObject(type.decode(bytes), TO_OBJECT) as Address;
}

export function encodeAuthorization(authorization: Authorization): Uint8Array {
  const type = workloadApiTypes().authorization;
  return type.encode(type.fromObject(authorization)).finish();
}

export function decodeAuthorization(bytes: Uint8Array): Authorization {
  const type = workloadApiTypes().authorization;
  return type.toObject(type.decode(bytes), TO_OBJECT) as Authorization;
}

/** `type.googleapis.com/istio.workload.Address` Any. */
export function packAddress(address: Address): Any {
  return { typeUrl: TypeUrl.address, value: encodeAddress(address) };
}

/** `type.googleapis.com/istio.security.Authorization` Any. */
export function packAuthorization(authorization: Authorization): Any {
  return { typeUrl: TypeUrl.authorization, value: encodeAuthorization(authorization) };
}

export { addressResourceName, authorizationResourceName, bytesToIp, ipToBytes } from './workload-names';
