import { formatAuthority } from '../hbone/headers';
import type { ProxyState } from '../state/proxy-state';
import { type Service, servicePort } from '../state/service';
import type { GatewayAddress, Workload } from '../state/workload';
import type { HboneDestination } from './pool';

/**
 * Where an outbound connection goes, decided from state alone: a service VIP goes to one of the
 * service's healthy endpoints (round robin) or to the service's waypoint; a workload address
 * goes to that workload or its waypoint; anything outside the mesh passes through as plain TCP.
 */

export type OutboundRoute =
  | {
      kind: 'hbone';
      /** The HBONE server to dial: the endpoint's node ztunnel, or the waypoint. */
      gateway: HboneDestination;
      /** `endpointIp:targetPort`, or the original `VIP:port` when going to a waypoint. */
      authority: string;
      service: Service | undefined;
      /** The endpoint, or the waypoint workload. */
      destination: Workload;
      waypoint: boolean;
    }
  | { kind: 'passthrough'; ip: string; port: number; service: Service | undefined; destination: Workload | undefined }
  | { kind: 'unreachable'; reason: string; service: Service | undefined };

export const DEFAULT_HBONE_PORT = 15008;

export class OutboundRouter {
  private readonly cursors = new Map<string, number>();

  constructor(private readonly state: ProxyState) {}

  resolve(ip: string, port: number): OutboundRoute {
    const service = this.state.serviceByVip(ip, port);
    if (service) return this.toService(service, ip, port);
    const workload = this.state.workloadByIp(ip);
    if (workload) return this.toWorkload(workload, ip, port);
    return { kind: 'passthrough', ip, port, service: undefined, destination: undefined };
  }

  private toService(service: Service, vip: string, port: number): OutboundRoute {
    if (service.waypoint) return this.toWaypoint(service.waypoint, formatAuthority(vip, port), service);
    const endpoint = this.pick(service.key, this.state.endpointsOf(service.key));
    if (!endpoint) return { kind: 'unreachable', reason: `service ${service.hostname} has no healthy endpoint`, service };
    const ip = endpoint.addresses[0] as string;
    const targetPort = targetPortOf(service, port, endpoint);
    if (endpoint.tunnelProtocol === 'NONE') return { kind: 'passthrough', ip, port: targetPort, service, destination: endpoint };
    return this.direct(endpoint, ip, targetPort, service);
  }

  private toWorkload(workload: Workload, ip: string, port: number): OutboundRoute {
    if (workload.waypoint) return this.toWaypoint(workload.waypoint, formatAuthority(ip, port), undefined);
    if (workload.tunnelProtocol === 'NONE') return { kind: 'passthrough', ip, port, service: undefined, destination: workload };
    return this.direct(workload, ip, port, undefined);
  }

  private direct(endpoint: Workload, ip: string, port: number, service: Service | undefined): OutboundRoute {
    const node = this.state.node(endpoint.node);
    if (!node) return { kind: 'unreachable', reason: `node ${endpoint.node} of ${endpoint.name} has no known ztunnel address`, service };
    return {
      kind: 'hbone',
      gateway: { address: node.address, port: node.hbonePort, identity: endpoint.identity },
      authority: formatAuthority(ip, port),
      service,
      destination: endpoint,
      waypoint: false,
    };
  }

  private toWaypoint(gateway: GatewayAddress, authority: string, service: Service | undefined): OutboundRoute {
    const port = gateway.hboneMtlsPort || DEFAULT_HBONE_PORT;
    let waypoint: Workload | undefined;
    if (gateway.address !== undefined) {
      waypoint = this.state.workloadByIp(gateway.address);
    } else {
      const waypointService = this.state.serviceByHostname(gateway.hostname.hostname);
      if (waypointService && waypointService.namespace === gateway.hostname.namespace) {
        waypoint = this.pick(waypointService.key, this.state.endpointsOf(waypointService.key));
      }
    }
    if (!waypoint) return { kind: 'unreachable', reason: `waypoint ${describeGateway(gateway)} has no healthy workload`, service };
    return {
      kind: 'hbone',
      gateway: { address: waypoint.addresses[0] as string, port, identity: waypoint.identity },
      authority,
      service,
      destination: waypoint,
      waypoint: true,
    };
  }

  /** Round robin over the healthy, addressable endpoints. */
  private pick(key: string, endpoints: readonly Workload[]): Workload | undefined {
    const n = endpoints.length;
    if (n === 0) return undefined;
    const start = this.cursors.get(key) ?? 0;
    for (let i = 0; i < n; i++) {
      const w = endpoints[(start + i) % n] as Workload;
      if (w.status === 'HEALTHY' && w.addresses.length > 0) {
        this.cursors.set(key, (start + i + 1) % n);
        return w;
      }
    }
    return undefined;
  }
}

/** The workload's own mapping for the service port, else the service's target port, else the port itself. */
export function targetPortOf(service: Service, port: number, workload: Workload): number {
  const mappings = workload.services[service.key];
  if (mappings) for (const m of mappings) if (m.servicePort === port && m.targetPort) return m.targetPort;
  const sp = servicePort(service, port);
  return sp?.targetPort || port;
}

function describeGateway(gateway: GatewayAddress): string {
  return gateway.address !== undefined ? gateway.address : `${gateway.hostname.namespace}/${gateway.hostname.hostname}`;
}
