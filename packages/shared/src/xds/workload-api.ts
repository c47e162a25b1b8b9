// Istio's workload API messages (istio.workload.Address, istio.security.Authorization) as plain
// TypeScript objects, and their protobuf codec. Field names are the proto names in camelCase;
// enums are their names; IP addresses are raw bytes (see ipToBytes).
import { isIPv4, isIPv6 } from 'node:net';
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

/** Resource key of an Address: the workload uid, or `namespace/hostname` for a service. */
export function addressResourceName(address: Address): string {
  return address.workload ? address.workload.uid : `${address.service.namespace}/${address.service.hostname}`;
}

/** Resource key of an Authorization: `namespace/name`. */
export function authorizationResourceName(authorization: Authorization): string {
  return `${authorization.namespace}/${authorization.name}`;
}

/** `10.0.0.1` → 4 bytes, `fd00::1` → 16 bytes; throws on anything else. */
export function ipToBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.'), Number);
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  let text = ip;
  const bytes = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4) fills the last four bytes.
  const lastColon = text.lastIndexOf(':');
  let tailBytes = 0;
  if (text.includes('.', lastColon)) {
    bytes.set(ipToBytes(text.slice(lastColon + 1)), 12);
    text = `${text.slice(0, lastColon)}:0:0`;
    tailBytes = 4;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((group, index) => {
    if (index * 2 >= 16 - tailBytes) return;
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** 4 or 16 bytes → textual IP (IPv6 in its canonical compressed form). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // The URL parser serializes IPv6 hosts the RFC 5952 way (longest zero run compressed).
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
