/**
 * The mesh the control-plane benchmark loads, shaped as Kubernetes holds it: Nodes with zones,
 * ambient namespaces, Services with cluster IPs, Pods owned by Deployments spread round-robin
 * over the nodes (status written separately, as the kubelet does), and AuthorizationPolicies:
 * mostly per-app selectors, some namespace-wide, a few mesh-wide in istio-system.
 */
import type { KubeObject } from '@ambit/shared';

export interface MeshSize {
  nodes: number;
  namespaces: number;
  servicesPerNamespace: number;
  podsPerService: number;
  policies: number;
}

export interface StatusWrite {
  key: { kind: string; namespace: string; name: string };
  status: unknown;
}

export interface BenchMesh {
  /** Without status: what `kubectl apply` would send. */
  objects: KubeObject[];
  /** What the node and pod controllers then write to the status subresource. */
  statuses: StatusWrite[];
}

export const ROOT_NAMESPACE = 'istio-system';
const TEMPLATE_HASH = '7c9d5b8f6d';

export const nodeName = (index: number) => `node-${index}`;
export const namespaceName = (index: number) => `ns-${index}`;
export const appName = (index: number) => `app-${index}`;

/** The i-th address of a /8: 10.a.b.c without .0 and .255 surprises for i < 2^24. */
function address(prefix: number, index: number): string {
  return `${prefix}.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

export function benchMesh(size: MeshSize): BenchMesh {
  const objects: KubeObject[] = [];
  const statuses: StatusWrite[] = [];
  for (let n = 0; n < size.nodes; n++) {
    const name = nodeName(n);
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'topology.kubernetes.io/region': 'bench', 'topology.kubernetes.io/zone': `zone-${n % 3}` } },
    });
    statuses.push({
      key: { kind: 'Node', namespace: '', name },
      status: { addresses: [{ type: 'InternalIP', address: address(172, n + 1) }] },
    });
  }
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ROOT_NAMESPACE } });
  let pod = 0;
  let service = 0;
  for (let n = 0; n < size.namespaces; n++) {
    const namespace = namespaceName(n);
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'istio.io/dataplane-mode': 'ambient' } } });
    for (let s = 0; s < size.servicesPerNamespace; s++) {
      const app = appName(s);
      service++;
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace },
        spec: {
          selector: { app },
          clusterIP: address(96, service),
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'grpc', port: 9090, targetPort: 9090 },
          ],
        },
      });
      for (let p = 0; p < size.podsPerService; p++) {
        const name = `${app}-${TEMPLATE_HASH}-${p}`;
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace,
            labels: { app, version: `v${p % 2}`, 'pod-template-hash': TEMPLATE_HASH },
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${TEMPLATE_HASH}`, uid: `rs-${service}`, controller: true },
            ],
          },
          spec: {
            nodeName: nodeName(pod % size.nodes),
            serviceAccountName: app,
            containers: [
              {
                name: 'app',
                ports: [
                  { name: 'http', containerPort: 8080 },
                  { name: 'grpc', containerPort: 9090 },
                ],
              },
            ],
          },
        });
        pod++;
        const ip = address(10, pod);
        statuses.push({
          key: { kind: 'Pod', namespace, name },
          status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
        });
      }
    }
  }
  for (let i = 0; i < size.policies; i++) {
    const meshWide = i % 20 === 0;
    const namespaceWide = !meshWide && i % 5 === 0;
    const namespace = meshWide ? ROOT_NAMESPACE : namespaceName(i % size.namespaces);
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `policy-${i}`, namespace },
      spec: {
        ...(!meshWide && !namespaceWide ? { selector: { matchLabels: { app: appName(i % size.servicesPerNamespace) } } } : {}),
        action: i % 3 === 0 ? 'DENY' : 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: [`cluster.local/ns/${namespace}/sa/client-${i}`] } }],
            to: [{ operation: { ports: ['8080'] } }],
          },
        ],
      },
    });
  }
  objects.push(roundPolicy(-1, 'edit', size).object);
  return { objects, statuses };
}

export type RoundKind = 'edit' | 'create';

/**
 * The policy a convergence round writes. `edit` rewrites the principals of one policy that exists
 * from the start (`roundPolicy(-1, 'edit', ...)`), so only its Authorization resource changes;
 * `create` adds a policy selecting one app, which also changes that app's workloads (each Address
 * lists the policies that select it).
 */
export function roundPolicy(round: number, kind: RoundKind, size: MeshSize): { object: KubeObject; resourceName: string } {
  const namespace = kind === 'edit' ? namespaceName(0) : namespaceName(round % size.namespaces);
  const name = kind === 'edit' ? 'bench-edited' : `bench-created-${round}`;
  const app = kind === 'edit' ? appName(0) : appName(round % size.servicesPerNamespace);
  const object: KubeObject = {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [`cluster.local/ns/${namespace}/sa/caller-${round}`] } }] }],
    },
  };
  return { object, resourceName: `${namespace}/${name}` };
}
