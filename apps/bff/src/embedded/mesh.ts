import type { Store } from '@ambit/control-plane/store';
import { nodeAddress, nodeIndex, nodeName } from './addresses';
import { DeploymentController, ServiceAddressController } from './controllers';
import type { ImageCommand } from './images/catalog';
import { Kubelet, type KubeletOptions } from './kubelet';
import { Supervisor } from './supervisor';
import { WaypointController } from './waypoint-controller';

/**
 * The embedded mesh's workload side: Node objects for the simulated nodes, the controllers that
 * deploy waypoints, turn Deployments into Pods and give Services their addresses, and the kubelet
 * that runs the pods.
 * Every store change schedules one reconcile pass (coalesced), so bursts of writes cost one pass.
 */
export interface EmbeddedWorkloadsOptions {
  store: Store;
  nodeCount: number;
  /** Number of the first node (default 1): meshes side by side (tests) use disjoint ranges. */
  firstNode?: number;
  dataDir: string;
  supervisor?: Supervisor;
  userImages?: Record<string, ImageCommand>;
  extraEnv?: KubeletOptions['extraEnv'];
}

export class EmbeddedWorkloads {
  readonly nodes: readonly string[];
  readonly supervisor: Supervisor;
  private readonly deployments: DeploymentController;
  private readonly services: ServiceAddressController;
  private readonly waypoints: WaypointController;
  private readonly kubelet: Kubelet;
  private stopWatch: (() => void) | undefined;
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: EmbeddedWorkloadsOptions) {
    const first = options.firstNode ?? 1;
    this.nodes = Array.from({ length: options.nodeCount }, (_, i) => nodeName(first + i));
    this.supervisor = options.supervisor ?? new Supervisor();
    this.deployments = new DeploymentController(options.store, this.nodes);
    this.services = new ServiceAddressController(options.store, this.nodes);
    this.waypoints = new WaypointController(options.store);
    this.kubelet = new Kubelet({
      store: options.store,
      supervisor: this.supervisor,
      nodes: this.nodes,
      dataDir: options.dataDir,
      ...(options.userImages ? { userImages: options.userImages } : {}),
      ...(options.extraEnv ? { extraEnv: options.extraEnv } : {}),
    });
  }

  start(): void {
    this.registerNodes();
    this.reconcile();
    this.stopWatch = this.options.store.watch(this.options.store.currentResourceVersion(), (event) => {
      // Status writes by the kubelet itself need no new pass, except Service addresses (pods' env).
      if (event.subresource === 'status' && event.object.kind !== 'Service') return;
      this.schedule();
    });
  }

  /** One pass over everything; safe to call at any time. */
  reconcile(): void {
    if (this.closed) return;
    this.waypoints.reconcile();
    this.services.reconcile();
    this.deployments.reconcile();
    this.kubelet.reconcile();
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.stopWatch?.();
    this.kubelet.close();
    await this.supervisor.stopAll();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.reconcile();
    });
  }

  private registerNodes(): void {
    const objects = this.nodes.map((name) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    }));
    this.options.store.apply(objects, { author: 'system:embedded-mesh' });
    this.nodes.forEach((name) => {
      this.options.store.updateStatus(
        { kind: 'Node', namespace: '', name },
        { addresses: [{ type: 'InternalIP', address: nodeAddress(nodeIndex(name)) }], conditions: [{ type: 'Ready', status: 'True' }] },
      );
    });
  }
}
