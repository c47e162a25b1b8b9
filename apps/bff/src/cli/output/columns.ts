import type { StoredObject } from '@ambit/control-plane/store';
import type { AuthorizationPolicy, Canary, Deployment, Gateway, HttpRoute, PeerAuthentication, Pod, Service } from '@ambit/shared';

/** The kind-specific columns of `ambit get` (between NAME and AGE), as kubectl and istioctl show them. */
interface Columns {
  headers: readonly string[];
  cells(object: StoredObject): string[];
}

const none = '<none>';
const list = (values: readonly (string | number | undefined)[] | undefined) => (values && values.length > 0 ? values.join(',') : none);

const byKind: Record<string, Columns> = {
  Namespace: { headers: ['STATUS'], cells: () => ['Active'] },
  Service: {
    headers: ['CLUSTER-IP', 'PORT(S)'],
    cells: (o) => {
      const s = o as unknown as Service;
      return [s.spec.clusterIP ?? none, list(s.spec.ports?.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`))];
    },
  },
  Deployment: {
    headers: ['READY', 'IMAGE'],
    cells: (o) => {
      const d = o as unknown as Deployment;
      const status = (d.status ?? {}) as { readyReplicas?: number };
      return [`${status.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`, list(d.spec.template.spec.containers.map((c) => c.image))];
    },
  },
  Pod: {
    headers: ['STATUS', 'RESTARTS', 'IP', 'NODE'],
    cells: (o) => {
      const p = o as unknown as Pod;
      const restarts = (p.status?.containerStatuses ?? []).reduce(
        (n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0),
        0,
      );
      return [p.status?.phase ?? 'Pending', String(restarts), p.status?.podIP ?? none, p.spec.nodeName ?? none];
    },
  },
  AuthorizationPolicy: {
    headers: ['ACTION'],
    cells: (o) => [(o as unknown as AuthorizationPolicy).spec.action ?? 'ALLOW'],
  },
  PeerAuthentication: {
    headers: ['MODE'],
    cells: (o) => [(o as unknown as PeerAuthentication).spec.mtls?.mode ?? 'UNSET'],
  },
  Gateway: {
    headers: ['CLASS'],
    cells: (o) => [(o as unknown as Gateway).spec.gatewayClassName],
  },
  HTTPRoute: {
    headers: ['PARENTS', 'HOSTNAMES'],
    cells: (o) => {
      const r = o as unknown as HttpRoute;
      return [list(r.spec.parentRefs?.map((p) => `${p.kind ?? 'Gateway'}/${p.name}`)), list(r.spec.hostnames)];
    },
  },
  Canary: {
    headers: ['STATUS', 'WEIGHT'],
    cells: (o) => {
      const c = o as unknown as Canary;
      return [c.status?.phase ?? 'Initializing', String(c.status?.canaryWeight ?? 0)];
    },
  },
};

export function columnsFor(kind: string): Columns {
  return byKind[kind] ?? { headers: [], cells: () => [] };
}
