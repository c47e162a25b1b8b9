/**
 * Test fixtures for the registry and translators: the upstream Bookinfo manifests, and Nodes and
 * Pods shaped the way the embedded mesh writes them (Deployment owner reference,
 * pod-template-hash label, status.podIP written through the status subresource).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Deployment, type KubeObject, readManifests } from '@ambit/shared';
import type { Store } from '../store/types';

export const UPSTREAM_ISTIO = fileURLToPath(new URL('../../../../../shared/testdata/upstream/istio/', import.meta.url));

/** Objects of upstream manifest files, placed in `namespace`. */
export function upstreamObjects(files: readonly string[], namespace: string): KubeObject[] {
  return files.flatMap((file) =>
    readManifests(readFileSync(`${UPSTREAM_ISTIO}${file}`, 'utf8'), file).map(({ object }) => ({
      ...object,
      metadata: { ...object.metadata, namespace },
    })),
  );
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function node(name: string, address: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, status: { addresses: [{ type: 'InternalIP', address }] } };
}

const TEMPLATE_HASH = '5d8c9b7f6c';

/** A running, ready pod of `deployment`, as the embedded Deployment controller and kubelet write it. */
export function podOf(deployment: KubeObject, index: number, nodeName: string, ip: string): KubeObject {
  const spec = (deployment as unknown as Deployment).spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deployment.metadata.name}-${TEMPLATE_HASH}-${index}`,
      namespace: deployment.metadata.namespace,
      labels: { ...spec.template.metadata?.labels, 'pod-template-hash': TEMPLATE_HASH },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: 'test', controller: true }],
    },
    spec: { ...spec.template.spec, nodeName },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], containerStatuses: [{ name: 'app', ready: true }] },
  };
}

/** Applies the objects, then writes the status of those that carry one, as controllers do. */
export function applyAll(store: Store, objects: readonly KubeObject[]): void {
  store.apply(
    objects.map(({ status: _status, ...rest }) => rest as KubeObject),
    { author: 'test' },
  );
  for (const object of objects) {
    if (object.status === undefined) continue;
    const namespaced = object.kind !== 'Node' && object.kind !== 'Namespace';
    store.updateStatus(
      { kind: object.kind, namespace: namespaced ? (object.metadata.namespace ?? 'default') : '', name: object.metadata.name },
      object.status,
    );
  }
}

/**
 * The Bookinfo mesh as the embedded mesh would hold it: namespace `demo` enrolled in ambient, nodes
 * `node-1` (zone-a) and `node-2` (zone-b), the upstream Bookinfo manifests plus the versioned
 * reviews services, one running pod per Deployment on alternating nodes, and every Service given
 * an address on each node. Pods of node N are 127.(10+N).1.x, service VIPs 127.(10+N).128.x.
 */
export function bookinfoObjects(extra: readonly string[] = []): KubeObject[] {
  const manifests = upstreamObjects(['bookinfo.yaml', 'bookinfo-versions.yaml', ...extra], 'demo');
  const nodes = [
    node('node-1', '127.11.0.1', { 'topology.kubernetes.io/region': 'local', 'topology.kubernetes.io/zone': 'zone-a' }),
    node('node-2', '127.12.0.1', { 'topology.kubernetes.io/region': 'local', 'topology.kubernetes.io/zone': 'zone-b' }),
  ];
  const deployments = manifests.filter((o) => o.kind === 'Deployment');
  const pods = deployments.map((deployment, i) => {
    const nodeIndex = (i % 2) + 1;
    return podOf(deployment, 0, `node-${nodeIndex}`, `127.${10 + nodeIndex}.1.${i + 1}`);
  });
  let vip = 0;
  const withAddresses = manifests.map((object) => {
    if (object.kind !== 'Service') return object;
    vip++;
    return { ...object, status: { nodeAddresses: { 'node-1': `127.11.128.${vip}`, 'node-2': `127.12.128.${vip}` } } };
  });
  return [namespace('demo', { 'istio.io/dataplane-mode': 'ambient' }), ...nodes, ...withAddresses, ...pods];
}

export interface SyntheticMeshSize {
  namespaces: number;
  servicesPerNamespace: number;
  podsPerService: number;
  /** AuthorizationPolicies: mostly selector policies, some namespace-wide, a few mesh-wide. */
  policies: number;
}

/** A large mesh for scale tests: every pod in one service, policies spread over the namespaces. */
export function syntheticMesh(size: SyntheticMeshSize): KubeObject[] {
  const objects: KubeObject[] = [node('node-1', '127.11.0.1'), node('node-2', '127.12.0.1')];
  let podIndex = 0;
  for (let n = 0; n < size.namespaces; n++) {
    const ns = `ns-${n}`;
    objects.push(namespace(ns, { 'istio.io/dataplane-mode': 'ambient' }));
    for (let s = 0; s < size.servicesPerNamespace; s++) {
      const app = `app-${s}`;
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns },
        spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
      for (let p = 0; p < size.podsPerService; p++) {
        podIndex++;
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${app}-${p}`, namespace: ns, labels: { app, version: `v${p % 2}` } },
          spec: {
            nodeName: `node-${(podIndex % 2) + 1}`,
            serviceAccountName: app,
            containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }],
          },
          status: { phase: 'Running', podIP: `10.${(podIndex >> 16) & 255}.${(podIndex >> 8) & 255}.${podIndex & 255}` },
        });
      }
    }
  }
  for (let i = 0; i < size.policies; i++) {
    const mesh = i % 20 === 0;
    const namespaceWide = i % 5 === 0;
    const ns = mesh ? 'istio-system' : `ns-${i % size.namespaces}`;
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `policy-${i}`, namespace: ns },
      spec: {
        ...(!mesh && !namespaceWide && { selector: { matchLabels: { app: `app-${i % size.servicesPerNamespace}` } } }),
        action: i % 3 === 0 ? 'DENY' : 'ALLOW',
        rules: [
          { from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/client-${i}`] } }], to: [{ operation: { ports: ['8080'] } }] },
        ],
      },
    });
  }
  return objects;
}
