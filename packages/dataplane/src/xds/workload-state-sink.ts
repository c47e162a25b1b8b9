// Istio's workload API (istio.workload.Address, istio.security.Authorization) and Ambit's own
// ambit.mesh.v1.Node (where each node's ztunnel takes HBONE) written into the ztunnel's state. Proto3 leaves defaults off the wire, so absent fields take the proto's zero
// values (tunnel NONE, status HEALTHY, scope GLOBAL, action ALLOW) and Istio's identity defaults
// (service account `default`, trust domain `cluster.local`). A response is converted whole before
// any of it is stored: one bad resource rejects it and the state stays as it was.
import type {
  CompiledPolicy,
  Clause as PolicyClause,
  IpBlock as PolicyIpBlock,
  Match as PolicyMatch,
  StringMatch as PolicyStringMatch,
} from '@ambit/shared/authz';
import { AmbitError } from '@ambit/shared/errors';
import { DEFAULT_TRUST_DOMAIN } from '@ambit/shared/spiffe';
import type { MeshNode } from '@ambit/shared/xds/mesh-node';
import { TypeUrl } from '@ambit/shared/xds/type-urls';
import type {
  Address,
  Authorization,
  CidrMatch,
  GatewayAddress as GatewayMessage,
  Match,
  Port,
  Service as ServiceMessage,
  StringMatch,
  Workload as WorkloadMessage,
} from '@ambit/shared/xds/workload-api';
import { addressResourceName, authorizationResourceName, bytesToIp } from '@ambit/shared/xds/workload-names';
import type { NodeInfo, ProxyState } from '../state/proxy-state';
import type { ServiceAddress, ServiceInput, ServicePort } from '../state/service';
import type { GatewayAddress, PortMapping, WorkloadInput } from '../state/workload';
import type { ResourceUpdate, XdsSink } from './sink';

const DEFAULT_SERVICE_ACCOUNT = 'default';

export interface WorkloadStateSinkOptions {
  state: ProxyState;
  /** The node this ztunnel serves; by default it owns the loopback service addresses of its view. */
  node?: string;
  /**
   * Which node's ztunnel listens on a service address (undefined: none; the address is still routed).
   * Default: `node` for loopback addresses — the control plane sends each node's ztunnel the per-node
   * VIPs it serves — and none for other addresses (cluster IPs, which a loopback capture cannot own).
   */
  serviceAddressNode?: (address: string, service: ServiceMessage) => string | undefined;
}

export class WorkloadStateSink implements XdsSink {
  private readonly state: ProxyState;
  private readonly serviceAddressNode: (address: string, service: ServiceMessage) => string | undefined;

  constructor(options: WorkloadStateSinkOptions) {
    this.state = options.state;
    const node = options.node;
    this.serviceAddressNode = options.serviceAddressNode ?? ((address) => (node !== undefined && isLoopback(address) ? node : undefined));
  }

  apply(typeUrl: string, update: ResourceUpdate): void {
    if (typeUrl === TypeUrl.address) this.applyAddresses(update as ResourceUpdate<Address>);
    else if (typeUrl === TypeUrl.authorization) this.applyAuthorizations(update as ResourceUpdate<Authorization>);
    else if (typeUrl === TypeUrl.node) this.applyNodes(update as ResourceUpdate<MeshNode>);
    else throw new AmbitError('InvalidArgument', `the ztunnel state takes Node, Address and Authorization resources, not ${typeUrl}`);
  }

  private applyNodes(update: ResourceUpdate<MeshNode>): void {
    const nodes: NodeInfo[] = [];
    for (const [name, node] of update.upserted) {
      const object = `Node ${name}`;
      expectName(object, name, node.name);
      nodes.push(toNodeInfo(object, node));
    }
    const state = this.state;
    state.batch(() => {
      for (const name of update.removed) state.removeNode(name);
      for (const node of nodes) state.upsertNode(node);
    });
  }

  private applyAddresses(update: ResourceUpdate<Address>): void {
    const workloads: WorkloadInput[] = [];
    const services: ServiceInput[] = [];
    for (const [name, address] of update.upserted) {
      const object = `Address ${name}`;
      expectName(object, name, addressResourceName(address));
      if (address.workload) workloads.push(toWorkloadInput(object, address.workload));
      else services.push(this.toServiceInput(object, address.service));
    }
    const state = this.state;
    state.batch(() => {
      for (const name of update.removed) if (!state.removeWorkload(name)) state.removeService(name);
      for (const workload of workloads) {
        // A key that changes kind (service ↔ workload) must not leave the old kind behind.
        state.removeService(workload.uid);
        state.upsertWorkload(workload);
      }
      for (const service of services) {
        state.removeWorkload(`${service.namespace}/${service.hostname}`);
        state.upsertService(service);
      }
    });
  }

  private applyAuthorizations(update: ResourceUpdate<Authorization>): void {
    const policies: CompiledPolicy[] = [];
    for (const [name, authorization] of update.upserted) {
      const object = `Authorization ${name}`;
      expectName(object, name, authorizationResourceName(authorization));
      policies.push(toCompiledPolicy(object, authorization));
    }
    const state = this.state;
    state.batch(() => {
      for (const name of update.removed) state.removePolicy(name);
      for (const policy of policies) state.upsertPolicy(policy);
    });
  }

  private toServiceInput(object: string, service: ServiceMessage): ServiceInput {
    required(object, 'service.name', service.name);
    required(object, 'service.namespace', service.namespace);
    required(object, 'service.hostname', service.hostname);
    const addresses: ServiceAddress[] = (service.addresses ?? []).map((entry, i) => {
      const address = ipText(object, `service.addresses[${i}].address`, entry.address);
      const out: ServiceAddress = { address };
      if (entry.network) out.network = entry.network;
      const node = this.serviceAddressNode(address, service);
      if (node !== undefined) out.node = node;
      return out;
    });
    const input: ServiceInput = {
      name: service.name,
      namespace: service.namespace,
      hostname: service.hostname,
      addresses,
      ports: (service.ports ?? []).map(toServicePort),
    };
    if (service.waypoint) input.waypoint = toGatewayAddress(object, 'service.waypoint', service.waypoint);
    return input;
  }
}

function toWorkloadInput(object: string, workload: WorkloadMessage): WorkloadInput {
  required(object, 'workload.uid', workload.uid);
  required(object, 'workload.name', workload.name);
  required(object, 'workload.namespace', workload.namespace);
  const services: Record<string, PortMapping[]> = {};
  for (const [key, list] of Object.entries(workload.services ?? {})) {
    services[key] = (list.ports ?? []).map((port) => ({ servicePort: port.servicePort ?? 0, targetPort: port.targetPort ?? 0 }));
  }
  const input: WorkloadInput = {
    uid: workload.uid,
    name: workload.name,
    namespace: workload.namespace,
    addresses: (workload.addresses ?? []).map((bytes, i) => ipText(object, `workload.addresses[${i}]`, bytes)),
    node: workload.node ?? '',
    serviceAccount: workload.serviceAccount || DEFAULT_SERVICE_ACCOUNT,
    trustDomain: workload.trustDomain || DEFAULT_TRUST_DOMAIN,
    tunnelProtocol: workload.tunnelProtocol ?? 'NONE',
    status: workload.status ?? 'HEALTHY',
    services,
    authorizationPolicies: workload.authorizationPolicies ?? [],
  };
  if (workload.network) input.network = workload.network;
  if (workload.canonicalName) input.canonicalName = workload.canonicalName;
  if (workload.canonicalRevision) input.canonicalRevision = workload.canonicalRevision;
  if (workload.workloadName) input.workloadName = workload.workloadName;
  if (workload.clusterId) input.clusterId = workload.clusterId;
  if (workload.waypoint) input.waypoint = toGatewayAddress(object, 'workload.waypoint', workload.waypoint);
  return input;
}

/** The first address is the one dialed: the control plane lists the node's InternalIP first. */
function toNodeInfo(object: string, node: MeshNode): NodeInfo {
  required(object, 'name', node.name);
  const [first] = node.addresses ?? [];
  if (!first) throw invalid(object, 'addresses', 'a node needs at least one address');
  if (!node.hbonePort || node.hbonePort > 65535) throw invalid(object, 'hbonePort', `not a port: ${node.hbonePort ?? 0}`);
  return { name: node.name, address: ipText(object, 'addresses[0]', first), hbonePort: node.hbonePort };
}

function toServicePort(port: Port): ServicePort {
  const out: ServicePort = { servicePort: port.servicePort ?? 0, targetPort: port.targetPort ?? 0 };
  if (port.appProtocol) out.appProtocol = port.appProtocol;
  return out;
}

function toGatewayAddress(object: string, path: string, gateway: GatewayMessage): GatewayAddress {
  const hboneMtlsPort = gateway.hboneMtlsPort ?? 0;
  if (gateway.hostname) {
    required(object, `${path}.hostname.hostname`, gateway.hostname.hostname);
    return { hostname: { namespace: gateway.hostname.namespace ?? '', hostname: gateway.hostname.hostname }, hboneMtlsPort };
  }
  if (gateway.address) return { address: ipText(object, `${path}.address.address`, gateway.address.address), hboneMtlsPort };
  throw invalid(object, path, 'a waypoint needs a hostname or an address');
}

function toCompiledPolicy(object: string, authorization: Authorization): CompiledPolicy {
  required(object, 'name', authorization.name);
  required(object, 'namespace', authorization.namespace);
  return {
    name: authorization.name,
    namespace: authorization.namespace,
    scope: authorization.scope ?? 'GLOBAL',
    action: authorization.action ?? 'ALLOW',
    rules: (authorization.rules ?? []).map((rule, r) => ({
      clauses: (rule.clauses ?? []).map(
        (clause, c): PolicyClause => ({
          matches: (clause.matches ?? []).map((match, m) => toMatch(object, `rules[${r}].clauses[${c}].matches[${m}]`, match)),
        }),
      ),
    })),
    dryRun: authorization.dryRun ?? false,
  };
}

function toMatch(object: string, path: string, match: Match): PolicyMatch {
  const out: PolicyMatch = {};
  const strings = (field: keyof Match & keyof PolicyMatch, list: StringMatch[] | undefined) => {
    if (list?.length) (out as Record<string, unknown>)[field] = list.map((m, i) => toStringMatch(object, `${path}.${field}[${i}]`, m));
  };
  const cidrs = (field: keyof Match & keyof PolicyMatch, list: CidrMatch[] | undefined) => {
    if (list?.length) (out as Record<string, unknown>)[field] = list.map((c, i) => toIpBlock(object, `${path}.${field}[${i}]`, c));
  };
  strings('namespaces', match.namespaces);
  strings('notNamespaces', match.notNamespaces);
  strings('principals', match.principals);
  strings('notPrincipals', match.notPrincipals);
  cidrs('sourceIps', match.sourceIps);
  cidrs('notSourceIps', match.notSourceIps);
  cidrs('destinationIps', match.destinationIps);
  cidrs('notDestinationIps', match.notDestinationIps);
  if (match.destinationPorts?.length) out.destinationPorts = [...match.destinationPorts];
  if (match.notDestinationPorts?.length) out.notDestinationPorts = [...match.notDestinationPorts];
  if (match.serviceAccounts?.length)
    out.serviceAccounts = match.serviceAccounts.map((sa) => ({ namespace: sa.namespace ?? '', serviceAccount: sa.serviceAccount ?? '' }));
  if (match.notServiceAccounts?.length) {
    out.notServiceAccounts = match.notServiceAccounts.map((sa) => ({
      namespace: sa.namespace ?? '',
      serviceAccount: sa.serviceAccount ?? '',
    }));
  }
  return out;
}

function toStringMatch(object: string, path: string, match: StringMatch): PolicyStringMatch {
  if ('exact' in match && match.exact !== undefined) return { exact: match.exact };
  if ('prefix' in match && match.prefix !== undefined) return { prefix: match.prefix };
  if ('suffix' in match && match.suffix !== undefined) return { suffix: match.suffix };
  if ('presence' in match && match.presence !== undefined) return { presence: true };
  throw invalid(object, path, 'a string match needs exact, prefix, suffix or presence');
}

function toIpBlock(object: string, path: string, cidr: CidrMatch): PolicyIpBlock {
  return { address: ipText(object, `${path}.address`, cidr.address), length: cidr.length ?? 0 };
}

function ipText(object: string, path: string, bytes: Uint8Array | undefined): string {
  if (!bytes || (bytes.length !== 4 && bytes.length !== 16)) {
    throw invalid(object, path, `an IP address has 4 or 16 bytes, not ${bytes?.length ?? 0}`);
  }
  return bytesToIp(bytes);
}

function required(object: string, path: string, value: string | undefined): asserts value is string {
  if (!value) throw invalid(object, path, 'required');
}

function expectName(object: string, name: string, key: string): void {
  if (name !== key) throw invalid(object, 'name', `the resource is named ${name} but its key is ${key}`);
}

function invalid(object: string, path: string, message: string): AmbitError {
  return new AmbitError('InvalidArgument', `invalid ${object}`, [{ object, path, message }]);
}

/** 127.0.0.0/8 or ::1, as bytesToIp writes them. */
function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
