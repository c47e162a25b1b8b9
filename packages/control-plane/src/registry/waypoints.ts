/**
 * Waypoints (Gateways of class `istio-waypoint`) and which one serves a service's or a
 * workload's traffic, with Istio's precedence: the object's own `istio.io/use-waypoint` label
 * (a name, or `none`) over its namespace's; `istio.io/use-waypoint-namespace` beside it names the
 * waypoint's namespace; and a waypoint only serves the traffic its `istio.io/waypoint-for` allows.
 */
import type { KubeObject } from '@ambit/shared';
import {
  GATEWAY_NAME_LABEL,
  HBONE_PORT,
  stringMap,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
  WAYPOINT_FOR_LABEL,
  WAYPOINT_GATEWAY_CLASS,
} from './labels';
import type {
  GatewayAddressInfo,
  Labels,
  MeshOptions,
  NamespaceInfo,
  WaypointBinding,
  WaypointInfo,
  WaypointListener,
  WaypointTrafficType,
} from './model';
import { serviceHostname } from './model';

const TRAFFIC_TYPES: ReadonlySet<string> = new Set(['service', 'workload', 'all', 'none']);

export function isWaypointGateway(gateway: KubeObject): boolean {
  return (gateway.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName === WAYPOINT_GATEWAY_CLASS;
}

interface GatewayAddresses {
  addresses?: { type?: string; value: string }[];
}

/**
 * A waypoint from its Gateway and the Service and pods carrying its gateway-name label. Its
 * address is its Service's hostname; without one, the Gateway's status (or spec) address.
 */
export function waypointInfo(
  gateway: KubeObject,
  serviceName: string | undefined,
  pods: readonly string[],
  options: MeshOptions,
): WaypointInfo {
  const namespace = gateway.metadata.namespace ?? 'default';
  const name = gateway.metadata.name;
  const declared = stringMap(gateway.metadata.labels)[WAYPOINT_FOR_LABEL] ?? 'service';
  const info: WaypointInfo = {
    key: `${namespace}/${name}`,
    namespace,
    name,
    gatewayClassName: (gateway.spec as { gatewayClassName: string }).gatewayClassName,
    trafficType: TRAFFIC_TYPES.has(declared) ? (declared as WaypointTrafficType) : 'service',
    listeners: listenersOf(gateway),
    pods: [...pods].sort(),
  };
  let address: GatewayAddressInfo | undefined;
  if (serviceName !== undefined) {
    const hostname = serviceHostname(serviceName, namespace, options.domainSuffix);
    info.service = `${namespace}/${hostname}`;
    address = { hostname: { namespace, hostname }, hboneMtlsPort: HBONE_PORT };
  } else {
    const listed = [
      ...((gateway.status as GatewayAddresses | undefined)?.addresses ?? []),
      ...((gateway.spec as GatewayAddresses).addresses ?? []),
    ];
    const first = listed[0];
    if (first?.type === 'Hostname') address = { hostname: { namespace, hostname: first.value }, hboneMtlsPort: HBONE_PORT };
    else if (first) address = { address: first.value, hboneMtlsPort: HBONE_PORT };
  }
  if (address) info.address = address;
  return info;
}

function listenersOf(gateway: KubeObject): WaypointListener[] {
  const listeners = (gateway.spec as { listeners?: { name: string; port: number; protocol: string; hostname?: string }[] }).listeners ?? [];
  return listeners.map((l) => {
    const listener: WaypointListener = { name: l.name, port: l.port, protocol: l.protocol };
    if (l.hostname) listener.hostname = l.hostname;
    return listener;
  });
}

/** What a service or workload is: its namespace and labels. */
export interface WaypointSubject {
  namespace: string;
  labels: Labels;
}

export interface WaypointResolution {
  binding?: WaypointBinding;
  /** Why a requested waypoint does not serve this traffic; absent when none was requested. */
  problem?: string;
}

type TrafficKind = 'service' | 'workload';

const NONE: WaypointResolution = Object.freeze({});

/** The waypoint for traffic to a Service's VIPs: the Service's label, else its namespace's. */
export function resolveWaypointForService(
  service: WaypointSubject,
  namespace: NamespaceInfo | undefined,
  waypoints: ReadonlyMap<string, WaypointInfo>,
): WaypointResolution {
  return resolve(service, namespace, waypoints, 'service');
}

/** The waypoint for traffic addressed to a pod's own IP: the Pod's label, else its namespace's. */
export function resolveWaypointForWorkload(
  workload: WaypointSubject,
  namespace: NamespaceInfo | undefined,
  waypoints: ReadonlyMap<string, WaypointInfo>,
): WaypointResolution {
  return resolve(workload, namespace, waypoints, 'workload');
}

function resolve(
  subject: WaypointSubject,
  namespace: NamespaceInfo | undefined,
  waypoints: ReadonlyMap<string, WaypointInfo>,
  traffic: TrafficKind,
): WaypointResolution {
  // A waypoint's own Service and pods never go through a waypoint.
  if (subject.labels[GATEWAY_NAME_LABEL]) return NONE;
  const own = subject.labels[USE_WAYPOINT_LABEL];
  const requested =
    own !== undefined
      ? { name: own, namespace: subject.labels[USE_WAYPOINT_NAMESPACE_LABEL] || subject.namespace, source: 'self' as const }
      : namespace?.labels[USE_WAYPOINT_LABEL] !== undefined
        ? {
            name: namespace.labels[USE_WAYPOINT_LABEL],
            namespace: namespace.labels[USE_WAYPOINT_NAMESPACE_LABEL] || namespace.name,
            source: 'namespace' as const,
          }
        : undefined;
  if (!requested || requested.name === 'none' || requested.name === '') return NONE;
  const key = `${requested.namespace}/${requested.name}`;
  const waypoint = waypoints.get(key);
  if (!waypoint) return { problem: `waypoint ${key} does not exist` };
  if (!serves(waypoint.trafficType, traffic)) {
    // A namespace-wide waypoint for the other kind of traffic is normal, not a mistake.
    return requested.source === 'self'
      ? { problem: `waypoint ${key} serves ${waypoint.trafficType} traffic (istio.io/waypoint-for), not ${traffic} traffic` }
      : NONE;
  }
  if (!waypoint.address)
    return { problem: `waypoint ${key} has no address yet (no Service labelled ${GATEWAY_NAME_LABEL}=${waypoint.name})` };
  return {
    binding: { key, namespace: waypoint.namespace, name: waypoint.name, address: waypoint.address, source: requested.source },
  };
}

function serves(trafficType: WaypointTrafficType, traffic: TrafficKind): boolean {
  return trafficType === 'all' || trafficType === traffic;
}
