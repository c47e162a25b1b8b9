import { connect } from 'node:net';
import type { Store, StoredObject } from '@ambit/control-plane/store';
import type { Container, Pod } from '@ambit/shared';
import { AddressAllocator, nodeAddress, nodeIndex } from './addresses';
import { serviceNodeAddresses } from './controllers';
import { type ImageCommand, resolveImage } from './images/catalog';
import { podLogFile } from './log-files';
import type { ProcessStatus, Supervisor } from './supervisor';

/**
 * Runs the pods the store assigns to the embedded nodes as local processes, as a kubelet would:
 * gives each pod its own address on its node, the downward-API and service environment
 * variables, restarts it when it dies, and reports phase, address and restarts in the pod's status.
 */
export interface KubeletOptions {
  store: Store;
  supervisor: Supervisor;
  /** Node names (`node-N`): node N owns 127.(10+N).0.0/16. */
  nodes: readonly string[];
  /** The data directory: logs go to `<dataDir>/logs/`. */
  dataDir: string;
  userImages?: Record<string, ImageCommand>;
  /** Extra environment for images that need it (waypoints: control plane address, node token). */
  extraEnv?: (pod: StoredObject, node: string) => Record<string, string>;
}

const PROCESS_PREFIX = 'pod/';

export function podProcessName(namespace: string, name: string): string {
  return `${PROCESS_PREFIX}${namespace}/${name}`;
}

export class Kubelet {
  private readonly allocator: AddressAllocator;
  private readonly running = new Map<string, { namespace: string; name: string; ip: string; port: number; probing: boolean }>();
  private readonly stopListening: () => void;

  constructor(private readonly options: KubeletOptions) {
    const pods = options.store.list('Pod') as unknown as Pod[];
    this.allocator = new AddressAllocator(pods.map((p) => p.status?.podIP).filter((ip): ip is string => Boolean(ip)));
    this.stopListening = options.supervisor.onChange((status) => this.reportStatus(status));
  }

  /** Starts pods that should run and stops those that should not. */
  reconcile(): void {
    const wanted = new Set<string>();
    for (const object of this.options.store.list('Pod')) {
      const pod = object as unknown as Pod & StoredObject;
      const node = pod.spec.nodeName;
      if (!node || !this.options.nodes.includes(node)) continue;
      const processName = podProcessName(pod.metadata.namespace ?? 'default', pod.metadata.name);
      wanted.add(processName);
      if (!this.options.supervisor.has(processName)) this.startPod(pod, node, processName);
    }
    for (const [processName, pod] of this.running) {
      if (wanted.has(processName)) continue;
      this.running.delete(processName);
      this.allocator.release(pod.ip);
      void this.options.supervisor.stop(processName);
    }
  }

  close(): void {
    this.stopListening();
  }

  private startPod(pod: Pod & StoredObject, node: string, processName: string): void {
    const namespace = pod.metadata.namespace ?? 'default';
    const ip = pod.status?.podIP ?? this.allocator.allocate(nodeIndex(node), 'pod');
    this.allocator.reserve(ip);
    const container = pod.spec.containers[0] as Container;
    const image = container.image ? resolveImage(container.image, this.options.userImages) : undefined;
    const key = { kind: 'Pod', namespace, name: pod.metadata.name };
    if (!image) {
      this.options.store.updateStatus(key, {
        phase: 'Failed',
        podIP: ip,
        hostIP: nodeAddress(nodeIndex(node)),
        reason: 'ImageNotKnown',
        message: `no implementation for image "${container.image}"; built-in images are ambit/echo, ambit/loadgen and Istio's Bookinfo; add yours to images.json in the data directory`,
      });
      return;
    }
    this.options.store.updateStatus(key, { phase: 'Pending', podIP: ip, podIPs: [{ ip }], hostIP: nodeAddress(nodeIndex(node)) });
    const port = container.ports?.[0]?.containerPort ?? 9080;
    this.running.set(processName, { namespace, name: pod.metadata.name, ip, port, probing: false });
    this.options.supervisor.start({
      name: processName,
      command: image.command,
      args: [...image.args, ...(container.args ?? [])],
      env: { ...this.environment(pod, container, node, ip), ...this.options.extraEnv?.(pod, node) },
      logFile: podLogFile(this.options.dataDir, namespace, pod.metadata.name),
    });
  }

  /** The downward API, the container's own env, and `<SVC>_SERVICE_HOST/PORT` for the namespace's services on this node. */
  private environment(pod: Pod & StoredObject, container: Container, node: string, ip: string): Record<string, string> {
    const namespace = pod.metadata.namespace ?? 'default';
    const labels = pod.metadata.labels ?? {};
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      POD_NAME: pod.metadata.name,
      POD_NAMESPACE: namespace,
      POD_IP: ip,
      NODE_NAME: node,
      SERVICE_ACCOUNT: pod.spec.serviceAccountName ?? 'default',
      PORT: String(container.ports?.[0]?.containerPort ?? 9080),
      APP: labels.app ?? pod.metadata.name,
      VERSION: labels.version ?? 'v1',
      SERVICE_NAME: labels.app ?? pod.metadata.name,
    };
    for (const service of this.options.store.list('Service', namespace)) {
      const address = serviceNodeAddresses(service)[node];
      const port = (service.spec as { ports?: { port: number }[] } | undefined)?.ports?.[0]?.port;
      if (!address || !port) continue;
      const prefix = service.metadata.name.toUpperCase().replace(/[-.]/g, '_');
      env[`${prefix}_SERVICE_HOST`] = address;
      env[`${prefix}_SERVICE_PORT`] = String(port);
    }
    for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
    return env;
  }

  private reportStatus(status: ProcessStatus): void {
    if (!status.name.startsWith(PROCESS_PREFIX)) return;
    const pod = this.running.get(status.name);
    if (!pod || status.state === 'Stopped') return;
    const key = { kind: 'Pod', namespace: pod.namespace, name: pod.name };
    const current = this.options.store.get(key);
    if (!current) return;
    if (status.state === 'Running') this.probeReadiness(status.name, status);
    this.writeContainerStatus(key, current, status, false);
  }

  /** TCP readiness probe on the container port: the pod is ready once it accepts connections. */
  private probeReadiness(processName: string, status: ProcessStatus): void {
    const pod = this.running.get(processName);
    if (!pod || pod.probing) return;
    pod.probing = true;
    const attempt = () => {
      const current = this.running.get(processName);
      const process = this.options.supervisor.status(processName);
      if (current !== pod || process?.state !== 'Running' || process.pid !== status.pid) {
        pod.probing = false;
        return;
      }
      const socket = connect({ host: pod.ip, port: pod.port });
      socket.once('connect', () => {
        socket.destroy();
        pod.probing = false;
        const key = { kind: 'Pod', namespace: pod.namespace, name: pod.name };
        const stored = this.options.store.get(key);
        if (stored) this.writeContainerStatus(key, stored, process, true);
      });
      socket.once('error', () => {
        socket.destroy();
        setTimeout(attempt, 100);
      });
    };
    attempt();
  }

  private writeContainerStatus(
    key: { kind: string; namespace: string; name: string },
    current: StoredObject,
    status: ProcessStatus,
    ready: boolean,
  ): void {
    const phase = status.state === 'Running' ? 'Running' : 'Pending';
    this.options.store.updateStatus(key, {
      ...(current.status as Record<string, unknown>),
      phase,
      startTime: status.startedAt,
      containerStatuses: [
        {
          name: ((current as unknown as Pod).spec.containers[0] as Container).name,
          ready,
          restartCount: status.restarts,
          state: status.state === 'Running' ? { running: { startedAt: status.startedAt } } : { waiting: { reason: 'CrashLoopBackOff' } },
          ...(status.lastExit
            ? {
                lastState: {
                  terminated: { exitCode: status.lastExit.code, signal: status.lastExit.signal, finishedAt: status.lastExit.at },
                },
              }
            : {}),
        },
      ],
    });
  }
}
