import type { GatewayAddress } from './workload';

/**
 * A service as ztunnel knows it: Istio's `istio.workload.Service`. Each address may belong to
 * one node: on one machine every node's ztunnel owns the service addresses its workloads dial.
 */

export interface ServiceAddress {
  address: string;
  network?: string;
  /** The node whose ztunnel listens on this address; absent for addresses no loopback ztunnel owns. */
  node?: string;
}

export interface ServicePort {
  servicePort: number;
  /** 0 means the workload's own mapping, or the service port. */
  targetPort: number;
  appProtocol?: 'UNKNOWN' | 'HTTP11' | 'HTTP2' | 'GRPC';
}

export interface ServiceInput {
  name: string;
  namespace: string;
  /** FQDN, e.g. `reviews.default.svc.cluster.local`. */
  hostname: string;
  addresses: readonly ServiceAddress[];
  ports: readonly ServicePort[];
  waypoint?: GatewayAddress;
}

export interface Service extends ServiceInput {
  /** `namespace/hostname`: the workload API's resource key, and the key of `Workload.services`. */
  readonly key: string;
}

export function serviceKey(namespace: string, hostname: string): string {
  return `${namespace}/${hostname}`;
}

export function toService(input: ServiceInput): Service {
  return Object.freeze({ ...input, key: serviceKey(input.namespace, input.hostname) });
}

export function servicePort(service: Service, port: number): ServicePort | undefined {
  for (const p of service.ports) if (p.servicePort === port) return p;
  return undefined;
}
