/**
 * What a waypoint is made of, as Istio's waypoint deployment controller makes it: every `Gateway`
 * of class `istio-waypoint` gets a ServiceAccount, a Deployment and a Service on the HBONE port,
 * all named after the Gateway, labelled `gateway.networking.k8s.io/gateway-name` so the registry
 * knows they implement it, and owned by the Gateway (a controller ownerReference) so they go with
 * it. The embedded mesh and Kubernetes mode differ only in the waypoint's pod.
 */
import type { Container, Gateway, KubeObject } from '@ambit/shared';
import type { StoredObject } from './store/types';

export const WAYPOINT_CLASS = 'istio-waypoint';
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const HBONE_PORT = 15008;
/** The kinds made for a waypoint, in the order they are applied. */
export const WAYPOINT_OBJECT_KINDS = ['ServiceAccount', 'Deployment', 'Service'] as const;

type StoredGateway = Gateway & StoredObject;

/** The pod a waypoint runs; the frame around it (names, labels, owner, Service) is the same everywhere. */
export interface WaypointPod {
  containers: Container[];
  /** Extra pod spec fields (volumes, automountServiceAccountToken); serviceAccountName is always the Gateway's name. */
  spec?: Record<string, unknown>;
  /** The ServiceAccount's automountServiceAccountToken, when the pod needs no API token. */
  automountServiceAccountToken?: boolean;
}

export function isWaypointGateway(object: StoredObject): boolean {
  return (object as unknown as StoredGateway).spec?.gatewayClassName === WAYPOINT_CLASS;
}

/** The Gateway that controls an object (its controller ownerReference of kind Gateway), if any. */
export function gatewayOwner(object: StoredObject): { name: string; uid: string } | undefined {
  const owners = (object.metadata as { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] })
    .ownerReferences;
  return owners?.find((o) => o.controller && o.kind === 'Gateway');
}

/** `namespace/name/uid` of a Gateway, as an owned object's ownerReference names it. */
export function gatewayIdentity(namespace: string | undefined, name: string, uid: string): string {
  return `${namespace ?? 'default'}/${name}/${uid}`;
}

/** The ServiceAccount, Deployment and Service for one waypoint Gateway. */
export function waypointObjects(gateway: StoredGateway, pod: WaypointPod): KubeObject[] {
  const name = gateway.metadata.name;
  const namespace = gateway.metadata.namespace;
  const labels = { [GATEWAY_NAME_LABEL]: name };
  // No blockOwnerDeletion: setting it needs update on gateways/finalizers, which the RBAC does not grant.
  const metadata = {
    name,
    namespace,
    labels,
    ownerReferences: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, uid: gateway.metadata.uid, controller: true }],
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata,
      ...(pod.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: pod.automountServiceAccountToken } : {}),
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          // Waypoints receive HBONE themselves; the node's ztunnel must not capture them.
          metadata: { labels: { ...labels, 'istio.io/dataplane-mode': 'none' } },
          spec: { serviceAccountName: name, ...pod.spec, containers: pod.containers },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { selector: labels, ports: [{ name: 'mesh', port: HBONE_PORT, targetPort: HBONE_PORT, appProtocol: 'all' }] },
    },
  ];
}
