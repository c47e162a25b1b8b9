import type { Store, StoredObject } from '@ambit/control-plane/store';
import {
  GATEWAY_NAME_LABEL,
  gatewayIdentity,
  gatewayOwner,
  HBONE_PORT,
  isWaypointGateway,
  WAYPOINT_CLASS,
  type WaypointPod,
  waypointObjects,
} from '@ambit/control-plane/waypoint-objects';
import type { Gateway } from '@ambit/shared';
import { CONTROLLER_AUTHOR } from './controllers';

/**
 * What Istio's waypoint deployment controller does, for the embedded mesh: every `Gateway` of
 * class `istio-waypoint` gets the objects of `waypointObjects` (control-plane's one definition of
 * a waypoint), with a pod running `ambit/waypoint`, which the embedded kubelet starts in-process.
 */
export { GATEWAY_NAME_LABEL, WAYPOINT_CLASS };
export const WAYPOINT_IMAGE = 'ambit/waypoint';

const EMBEDDED_POD: WaypointPod = {
  containers: [{ name: 'waypoint', image: WAYPOINT_IMAGE, ports: [{ name: 'mesh', containerPort: HBONE_PORT }] }],
};

export class WaypointController {
  constructor(private readonly store: Store) {}

  reconcile(): void {
    const gateways = this.store.list('Gateway').filter(isWaypointGateway) as unknown as (Gateway & StoredObject)[];
    const wanted = gateways.flatMap((g) => waypointObjects(g, EMBEDDED_POD));
    // Apply is a no-op for objects already as wanted, so this costs nothing in the steady state.
    if (wanted.length > 0) this.store.apply(wanted, { author: CONTROLLER_AUTHOR });
    const live = new Set(gateways.map((g) => gatewayIdentity(g.metadata.namespace, g.metadata.name, g.metadata.uid)));
    for (const kind of ['Deployment', 'Service', 'ServiceAccount']) {
      for (const object of this.store.list(kind)) {
        const owner = gatewayOwner(object);
        if (owner && !live.has(gatewayIdentity(object.metadata.namespace, owner.name, owner.uid))) {
          this.store.delete(
            { kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name },
            { author: CONTROLLER_AUTHOR },
          );
        }
      }
    }
  }
}
