/**
 * The waypoint controller for Kubernetes mode: for every `Gateway` of class `istio-waypoint`,
 * server-side applies (async store writes, with force, as controllers of their own objects do) the
 * ServiceAccount, Deployment and Service of `waypointObjects`, with a pod running Ambit's waypoint
 * as deploy/kubernetes/examples/waypoint shows; deletes them when the Gateway goes (Kubernetes'
 * garbage collector would too, through the ownerReferences; deleting here does not wait for it).
 */
import type { Gateway } from '@ambit/shared';
import type { Logger } from 'pino';
import type { Store, StoredObject } from './store/types';
import { STORE_WRITERS } from './store/writers';
import {
  gatewayIdentity,
  gatewayOwner,
  HBONE_PORT,
  isWaypointGateway,
  WAYPOINT_OBJECT_KINDS,
  type WaypointPod,
  waypointObjects,
} from './waypoint-objects';

/** The image of deploy/kubernetes (docker-compose.yml builds it): control plane, ztunnel and waypoints. */
export const DEFAULT_WAYPOINT_IMAGE = 'ambit/mesh:dev';
/** The control plane's xDS/CA address over TLS, as deploy/kubernetes/base names its Service. */
export const DEFAULT_CONTROL_PLANE_ADDRESS = 'ambit-control-plane.ambit-system.svc:15012';
export const WAYPOINT_AUTHOR = 'waypoint-controller';
const RETRY_MS = 5_000;

export interface WaypointDeployerOptions {
  store: Store;
  logger: Logger;
  image?: string;
  controlPlaneAddress?: string;
}

const fieldRef = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** The pod of deploy/kubernetes/examples/waypoint/waypoint.yaml for the Gateway `namespace/name`. */
export function clusterWaypointPod(namespace: string, name: string, image: string, controlPlaneAddress: string): WaypointPod {
  return {
    automountServiceAccountToken: false,
    spec: {
      automountServiceAccountToken: false,
      volumes: [
        { name: 'node-token', secret: { secretName: 'ambit-node-token' } },
        { name: 'root-cert', secret: { secretName: 'cacerts', items: [{ key: 'root-cert.pem', path: 'root-cert.pem' }] } },
      ],
    },
    containers: [
      {
        name: 'waypoint',
        image,
        args: ['waypoint', '--xds-root-ca=/etc/ambit/root-cert.pem', '--xds-server-name=istiod.istio-system.svc'],
        env: [
          { name: 'WAYPOINT_NAME', value: `${namespace}/${name}` },
          { name: 'AMBIT_CONTROL_PLANE', value: controlPlaneAddress },
          { name: 'AMBIT_TOKEN_FILE', value: '/var/run/ambit/token' },
          fieldRef('POD_IP', 'status.podIP'),
          fieldRef('POD_NAME', 'metadata.name'),
          fieldRef('POD_NAMESPACE', 'metadata.namespace'),
          fieldRef('NODE_NAME', 'spec.nodeName'),
          fieldRef('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
        ],
        ports: [
          { name: 'hbone', containerPort: HBONE_PORT },
          { name: 'http-metrics', containerPort: 15020 },
          { name: 'http-ready', containerPort: 15021 },
        ],
        readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 } },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: [
          { name: 'node-token', mountPath: '/var/run/ambit', readOnly: true },
          { name: 'root-cert', mountPath: '/etc/ambit', readOnly: true },
        ],
      },
    ],
  };
}

export class WaypointDeployer {
  private stopWatch: (() => void) | undefined;
  private stopped = false;
  /** The pass in flight; a change during it asks for one more. */
  private running: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly image: string;
  private readonly controlPlaneAddress: string;

  constructor(private readonly options: WaypointDeployerOptions) {
    this.image = options.image ?? DEFAULT_WAYPOINT_IMAGE;
    this.controlPlaneAddress = options.controlPlaneAddress ?? DEFAULT_CONTROL_PLANE_ADDRESS;
  }

  start(): void {
    const { store } = this.options;
    this.stopWatch = store.watch(store.currentResourceVersion(), (event) => {
      if (event.subresource === 'status') return;
      const object = event.object;
      // Gateways, and (for drift or a deletion by someone else) the objects a Gateway controls.
      if (object.kind === 'Gateway' || ((WAYPOINT_OBJECT_KINDS as readonly string[]).includes(object.kind) && gatewayOwner(object))) {
        this.kick();
      }
    });
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    clearTimeout(this.retry);
    // Let the pass in flight finish its writes.
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    try {
      await this.reconcile();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'waypoint reconcile failed; retrying');
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.kick(), RETRY_MS);
    }
  }

  /** One pass: apply what every waypoint Gateway needs, delete what no live Gateway controls. */
  private async reconcile(): Promise<void> {
    const { store, logger } = this.options;
    const gateways = store.list('Gateway').filter(isWaypointGateway) as unknown as (Gateway & StoredObject)[];
    let failure: unknown;
    // One Gateway per batch: a Gateway whose objects cannot be written does not hold up the others.
    for (const gateway of gateways) {
      if (this.stopped) return;
      const { namespace = 'default', name } = gateway.metadata;
      const wanted = waypointObjects(gateway, clusterWaypointPod(namespace, name, this.image, this.controlPlaneAddress));
      try {
        const results = await store.applyAsync(wanted, { author: WAYPOINT_AUTHOR, writer: STORE_WRITERS.waypointController, force: true });
        const changed = results.filter((r) => r.action !== 'unchanged').map((r) => `${r.key.kind}/${r.action}`);
        if (changed.length > 0) logger.info({ gateway: `${namespace}/${name}`, changed }, 'waypoint applied');
      } catch (error) {
        failure = error;
        logger.warn({ err: error, gateway: `${namespace}/${name}` }, 'waypoint apply failed');
      }
    }
    const live = new Set(gateways.map((g) => gatewayIdentity(g.metadata.namespace, g.metadata.name, g.metadata.uid)));
    for (const kind of WAYPOINT_OBJECT_KINDS) {
      for (const object of store.list(kind)) {
        const owner = gatewayOwner(object);
        if (this.stopped || !owner || live.has(gatewayIdentity(object.metadata.namespace, owner.name, owner.uid))) continue;
        if (object.metadata.deletionTimestamp !== undefined) continue;
        const key = { kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name };
        await store.deleteAsync(key, {
          author: WAYPOINT_AUTHOR,
          writer: STORE_WRITERS.waypointController,
          resourceVersion: object.metadata.resourceVersion,
        });
        logger.info({ gateway: `${key.namespace}/${owner.name}`, deleted: `${kind}/${key.name}` }, 'waypoint object deleted');
      }
    }
    if (failure) throw failure;
  }
}
