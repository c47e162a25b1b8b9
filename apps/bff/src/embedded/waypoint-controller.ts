import type { Store, StoredObject } from '@ambit/control-plane/store';
import type { Gateway, KubeObject } from '@ambit/shared';
import { CONTROLLER_AUTHOR } from './controllers';

/**
 * What Istio's waypoint deployment controller does, for the embedded mesh: every `Gateway` of
 * class `istio-waypoint` gets a ServiceAccount, a Deployment running `ambit/waypoint` and a
 * Service on the HBONE port, all named after the Gateway and labelled
 * `gateway.networking.k8s.io/gateway-name` so the registry knows they implement it. They are owned
 * by the Gateway and go with it.
 */
export const WAYPOINT_CLASS = 'istio-waypoint';
export const WAYPOINT_IMAGE = 'ambit/waypoint';
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const HBONE_PORT = 15008;

export class WaypointController {
  constructor(private readonly store: Store) {}

  reconcile(): void {
    const gateways = (this.store.list('Gateway') as unknown as (Gateway & StoredObject)[]).filter(
      (g) => g.spec.gatewayClassName === WAYPOINT_CLASS,
    );
    const wanted = gateways.flatMap((g) => waypointObjects(g));
    // Apply is a no-op for objects already as wanted, so this costs nothing in the steady state.
    if (wanted.length > 0) this.store.apply(wanted, { author: CONTROLLER_AUTHOR });
    const live = new Set(gateways.map((g) => `${g.metadata.namespace}/${g.metadata.name}/${g.metadata.uid}`));
    for (const kind of ['Deployment', 'Service', 'ServiceAccount']) {
      for (const object of this.store.list(kind)) {
        const owner = gatewayOwner(object);
        if (owner && !live.has(`${object.metadata.namespace}/${owner.name}/${owner.uid}`)) {
          this.store.delete(
            { kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name },
            { author: CONTROLLER_AUTHOR },
          );
        }
      }
    }
  }
}

function gatewayOwner(object: StoredObject): { name: string; uid: string } | undefined {
  const owners = (object.metadata as { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] })
    .ownerReferences;
  return owners?.find((o) => o.controller && o.kind === 'Gateway');
}

function waypointObjects(gateway: Gateway & StoredObject): KubeObject[] {
  const name = gateway.metadata.name;
  const namespace = gateway.metadata.namespace;
  const labels = { [GATEWAY_NAME_LABEL]: name };
  const metadata = {
    name,
    namespace,
    labels,
    ownerReferences: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, uid: gateway.metadata.uid, controller: true }],
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
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
          spec: {
            serviceAccountName: name,
            containers: [{ name: 'waypoint', image: WAYPOINT_IMAGE, ports: [{ name: 'mesh', containerPort: HBONE_PORT }] }],
          },
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
