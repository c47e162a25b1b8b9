// Istio's workload API (istio.workload.Address, istio.security.Authorization) and Ambit's
// ambit.mesh.v1.Node decoded without protobufjs, into the same objects workload-api.ts' reflection
// decoder gives (`enums: String, longs: Number, defaults: false`): absent fields and empty
// repeated fields are left out, enums are names (unknown values stay numbers), bytes are copied.
import type { MeshNode } from '../mesh-node';
import type {
  Address,
  AppProtocol,
  Authorization,
  AuthorizationAction,
  AuthorizationScope,
  CidrMatch,
  Clause,
  GatewayAddress,
  LoadBalancing,
  LoadBalancingHealthPolicy,
  LoadBalancingMode,
  LoadBalancingScope,
  Locality,
  Match,
  NetworkAddress,
  Port,
  PortList,
  Rule,
  Service,
  ServiceAccountMatch,
  StringMatch,
  TunnelProtocol,
  Workload,
  WorkloadStatus,
  WorkloadType,
} from '../workload-api';
import { ProtoReader } from './reader';

const TUNNEL_PROTOCOLS: readonly TunnelProtocol[] = ['NONE', 'HBONE'];
const WORKLOAD_STATUSES: readonly WorkloadStatus[] = ['HEALTHY', 'UNHEALTHY'];
const WORKLOAD_TYPES: readonly WorkloadType[] = ['DEPLOYMENT', 'CRONJOB', 'POD', 'JOB'];
const APP_PROTOCOLS: readonly AppProtocol[] = ['UNKNOWN', 'HTTP11', 'HTTP2', 'GRPC'];
const LB_SCOPES: readonly LoadBalancingScope[] = ['UNSPECIFIED_SCOPE', 'REGION', 'ZONE', 'SUBZONE', 'NODE', 'CLUSTER', 'NETWORK'];
const LB_MODES: readonly LoadBalancingMode[] = ['UNSPECIFIED_MODE', 'STRICT', 'FAILOVER', 'PASSTHROUGH'];
const LB_HEALTH: readonly LoadBalancingHealthPolicy[] = ['ONLY_HEALTHY', 'ALLOW_ALL'];
const SCOPES: readonly AuthorizationScope[] = ['GLOBAL', 'NAMESPACE', 'WORKLOAD_SELECTOR'];
const ACTIONS: readonly AuthorizationAction[] = ['ALLOW', 'DENY'];

/** An enum's name; a value the schema does not know stays a number, as protobufjs leaves it. */
function enumName<T extends string>(names: readonly T[], value: number): T {
  return (names[value] ?? value) as T;
}

function copy(reader: ProtoReader): Uint8Array {
  return new Uint8Array(reader.bytesField());
}

// ---------- istio.workload ----------

export function decodeAddressWire(bytes: Uint8Array): Address {
  const reader = new ProtoReader(bytes);
  let address: { workload?: Workload; service?: Service } = {};
  while (reader.next()) {
    // A oneof: the last member on the wire wins.
    if (reader.field === 1) address = { workload: readWorkload(reader.message()) };
    else if (reader.field === 2) address = { service: readService(reader.message()) };
    else reader.skip();
  }
  return address as Address;
}

function readService(reader: ProtoReader): Service {
  const service = {} as Service;
  const addresses: NetworkAddress[] = [];
  const ports: Port[] = [];
  const sans: string[] = [];
  while (reader.next()) {
    switch (reader.field) {
      case 1:
        service.name = reader.string();
        break;
      case 2:
        service.namespace = reader.string();
        break;
      case 3:
        service.hostname = reader.string();
        break;
      case 4:
        addresses.push(readNetworkAddress(reader.message()));
        break;
      case 5:
        ports.push(readPort(reader.message()));
        break;
      case 6:
        sans.push(reader.string());
        break;
      case 7:
        service.waypoint = readGatewayAddress(reader.message());
        break;
      case 8:
        service.loadBalancing = readLoadBalancing(reader.message());
        break;
      default:
        reader.skip();
    }
  }
  if (addresses.length > 0) service.addresses = addresses;
  if (ports.length > 0) service.ports = ports;
  if (sans.length > 0) service.subjectAltNames = sans;
  return service;
}

function readWorkload(reader: ProtoReader): Workload {
  const workload = {} as Workload;
  const addresses: Uint8Array[] = [];
  const policies: string[] = [];
  let services: Record<string, PortList> | undefined;
  while (reader.next()) {
    switch (reader.field) {
      case 20:
        workload.uid = reader.string();
        break;
      case 1:
        workload.name = reader.string();
        break;
      case 2:
        workload.namespace = reader.string();
        break;
      case 3:
        addresses.push(copy(reader));
        break;
      case 21:
        workload.hostname = reader.string();
        break;
      case 4:
        workload.network = reader.string();
        break;
      case 5:
        workload.tunnelProtocol = enumName(TUNNEL_PROTOCOLS, reader.uint32());
        break;
      case 6:
        workload.trustDomain = reader.string();
        break;
      case 7:
        workload.serviceAccount = reader.string();
        break;
      case 8:
        workload.waypoint = readGatewayAddress(reader.message());
        break;
      case 9:
        workload.node = reader.string();
        break;
      case 10:
        workload.canonicalName = reader.string();
        break;
      case 11:
        workload.canonicalRevision = reader.string();
        break;
      case 12:
        workload.workloadType = enumName(WORKLOAD_TYPES, reader.uint32());
        break;
      case 13:
        workload.workloadName = reader.string();
        break;
      case 22: {
        services ??= {};
        const entry = reader.message();
        let key = '';
        let ports: PortList = { ports: [] };
        while (entry.next()) {
          if (entry.field === 1) key = entry.string();
          else if (entry.field === 2) ports = readPortList(entry.message());
          else entry.skip();
        }
        services[key] = ports;
        break;
      }
      case 16:
        policies.push(reader.string());
        break;
      case 17:
        workload.status = enumName(WORKLOAD_STATUSES, reader.uint32());
        break;
      case 18:
        workload.clusterId = reader.string();
        break;
      case 24:
        workload.locality = readLocality(reader.message());
        break;
      default:
        reader.skip();
    }
  }
  if (addresses.length > 0) workload.addresses = addresses;
  if (services) workload.services = services;
  if (policies.length > 0) workload.authorizationPolicies = policies;
  return workload;
}

function readPortList(reader: ProtoReader): PortList {
  const ports: Port[] = [];
  while (reader.next()) {
    if (reader.field === 1) ports.push(readPort(reader.message()));
    else reader.skip();
  }
  // protobufjs' toObject leaves an empty repeated field out, even where the type says it is there.
  return (ports.length > 0 ? { ports } : {}) as PortList;
}

function readPort(reader: ProtoReader): Port {
  const port = {} as Port;
  while (reader.next()) {
    if (reader.field === 1) port.servicePort = reader.uint32();
    else if (reader.field === 2) port.targetPort = reader.uint32();
    else if (reader.field === 3) port.appProtocol = enumName(APP_PROTOCOLS, reader.uint32());
    else reader.skip();
  }
  return port;
}

function readNetworkAddress(reader: ProtoReader): NetworkAddress {
  const address = {} as NetworkAddress;
  while (reader.next()) {
    if (reader.field === 1) address.network = reader.string();
    else if (reader.field === 2) address.address = copy(reader);
    else reader.skip();
  }
  return address;
}

function readGatewayAddress(reader: ProtoReader): GatewayAddress {
  let gateway: GatewayAddress = {};
  let port: number | undefined;
  while (reader.next()) {
    if (reader.field === 1) {
      const hostname = {} as { namespace: string; hostname: string };
      const inner = reader.message();
      while (inner.next()) {
        if (inner.field === 1) hostname.namespace = inner.string();
        else if (inner.field === 2) hostname.hostname = inner.string();
        else inner.skip();
      }
      gateway = { hostname };
    } else if (reader.field === 2) gateway = { address: readNetworkAddress(reader.message()) };
    else if (reader.field === 3) port = reader.uint32();
    else reader.skip();
  }
  if (port !== undefined) gateway.hboneMtlsPort = port;
  return gateway;
}

function readLoadBalancing(reader: ProtoReader): LoadBalancing {
  const balancing: LoadBalancing = {};
  const preference: number[] = [];
  while (reader.next()) {
    if (reader.field === 1) reader.packedVarints(preference);
    else if (reader.field === 2) balancing.mode = enumName(LB_MODES, reader.uint32());
    else if (reader.field === 3) balancing.healthPolicy = enumName(LB_HEALTH, reader.uint32());
    else reader.skip();
  }
  if (preference.length > 0) balancing.routingPreference = preference.map((value) => enumName(LB_SCOPES, value));
  return balancing;
}

function readLocality(reader: ProtoReader): Locality {
  const locality: Locality = {};
  while (reader.next()) {
    if (reader.field === 1) locality.region = reader.string();
    else if (reader.field === 2) locality.zone = reader.string();
    else if (reader.field === 3) locality.subzone = reader.string();
    else reader.skip();
  }
  return locality;
}

// ---------- istio.security ----------

export function decodeAuthorizationWire(bytes: Uint8Array): Authorization {
  const reader = new ProtoReader(bytes);
  const authorization = {} as Authorization;
  const rules: Rule[] = [];
  while (reader.next()) {
    switch (reader.field) {
      case 1:
        authorization.name = reader.string();
        break;
      case 2:
        authorization.namespace = reader.string();
        break;
      case 3:
        authorization.scope = enumName(SCOPES, reader.uint32());
        break;
      case 4:
        authorization.action = enumName(ACTIONS, reader.uint32());
        break;
      case 5:
        rules.push(readRule(reader.message()));
        break;
      case 6:
        authorization.dryRun = reader.bool();
        break;
      default:
        reader.skip();
    }
  }
  if (rules.length > 0) authorization.rules = rules;
  return authorization;
}

function readRule(reader: ProtoReader): Rule {
  const clauses: Clause[] = [];
  while (reader.next()) {
    if (reader.field === 1) clauses.push(readClause(reader.message()));
    else reader.skip();
  }
  return (clauses.length > 0 ? { clauses } : {}) as Rule;
}

function readClause(reader: ProtoReader): Clause {
  const matches: Match[] = [];
  while (reader.next()) {
    if (reader.field === 2) matches.push(readMatch(reader.message()));
    else reader.skip();
  }
  return (matches.length > 0 ? { matches } : {}) as Clause;
}

const STRING_MATCH_FIELDS = ['namespaces', 'notNamespaces', 'principals', 'notPrincipals'] as const;
const CIDR_FIELDS = ['sourceIps', 'notSourceIps', 'destinationIps', 'notDestinationIps'] as const;
const SERVICE_ACCOUNT_FIELDS = ['serviceAccounts', 'notServiceAccounts'] as const;

function readMatch(reader: ProtoReader): Match {
  const match: Match = {};
  while (reader.next()) {
    const field = reader.field;
    if (field >= 1 && field <= 4) {
      const key = STRING_MATCH_FIELDS[field - 1] as (typeof STRING_MATCH_FIELDS)[number];
      listOf(match, key).push(readStringMatch(reader.message()));
    } else if (field >= 5 && field <= 8) {
      const key = CIDR_FIELDS[field - 5] as (typeof CIDR_FIELDS)[number];
      listOf(match, key).push(readCidr(reader.message()));
    } else if (field === 9) reader.packedVarints(listOf(match, 'destinationPorts'));
    else if (field === 10) reader.packedVarints(listOf(match, 'notDestinationPorts'));
    else if (field === 11 || field === 12) {
      const key = SERVICE_ACCOUNT_FIELDS[field - 11] as (typeof SERVICE_ACCOUNT_FIELDS)[number];
      listOf(match, key).push(readServiceAccount(reader.message()));
    } else reader.skip();
  }
  // A packed run may be empty.
  if (match.destinationPorts?.length === 0) delete match.destinationPorts;
  if (match.notDestinationPorts?.length === 0) delete match.notDestinationPorts;
  return match;
}

/** The repeated field `key` of a Match, created on its first element. */
function listOf<K extends keyof Match>(match: Match, key: K): NonNullable<Match[K]> {
  let list = match[key];
  if (!list) {
    list = [] as NonNullable<Match[K]>;
    match[key] = list;
  }
  return list as NonNullable<Match[K]>;
}

function readStringMatch(reader: ProtoReader): StringMatch {
  let match = {} as StringMatch;
  while (reader.next()) {
    if (reader.field === 1) match = { exact: reader.string() };
    else if (reader.field === 2) match = { prefix: reader.string() };
    else if (reader.field === 3) match = { suffix: reader.string() };
    else if (reader.field === 4) {
      reader.skip();
      match = { presence: {} };
    } else reader.skip();
  }
  return match;
}

function readCidr(reader: ProtoReader): CidrMatch {
  const cidr = {} as CidrMatch;
  while (reader.next()) {
    if (reader.field === 1) cidr.address = copy(reader);
    else if (reader.field === 2) cidr.length = reader.uint32();
    else reader.skip();
  }
  return cidr;
}

function readServiceAccount(reader: ProtoReader): ServiceAccountMatch {
  const account = {} as ServiceAccountMatch;
  while (reader.next()) {
    if (reader.field === 1) account.namespace = reader.string();
    else if (reader.field === 2) account.serviceAccount = reader.string();
    else reader.skip();
  }
  return account;
}

// ---------- ambit.mesh.v1 ----------

/** ambit.mesh.v1.Node: name 1, addresses 2 (bytes), hbone_port 3. */
export function decodeMeshNodeWire(bytes: Uint8Array): MeshNode {
  const reader = new ProtoReader(bytes);
  const node = {} as MeshNode;
  const addresses: Uint8Array[] = [];
  while (reader.next()) {
    if (reader.field === 1) node.name = reader.string();
    else if (reader.field === 2) addresses.push(copy(reader));
    else if (reader.field === 3) node.hbonePort = reader.uint32();
    else reader.skip();
  }
  if (addresses.length > 0) node.addresses = addresses;
  return node;
}
