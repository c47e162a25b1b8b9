// The registry joins what the store holds for the upstream Bookinfo sample — manifests applied
// unchanged, plus the nodes, pods and service addresses the embedded mesh adds — into the model
// the translators and the console read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry, type MeshSnapshot, type Registry } from '../src/registry/index';
import { applyAll, bookinfoObjects } from '../src/registry/test-fixtures';
import { openSqliteStore, type SqliteStore } from '../src/store/index';

const REVIEWS = 'demo/reviews.demo.svc.cluster.local';
const REVIEWS_V2 = 'demo/reviews-v2.demo.svc.cluster.local';
const HTTP_9080 = [{ servicePort: 9080, targetPort: 9080, appProtocol: 'HTTP11' }];

describe('registry over the Bookinfo sample', () => {
  let dir: string;
  let store: SqliteStore;
  let registry: Registry;
  let snapshot: MeshSnapshot;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ambit-registry-'));
    store = openSqliteStore({ dataDir: dir });
    applyAll(store, bookinfoObjects(['route-reviews-90-10.yaml']));
    registry = createRegistry(store);
    snapshot = registry.snapshot();
  });

  afterEach(() => {
    registry.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows which namespaces are in the ambient mesh and where nodes are', () => {
    expect(snapshot.namespaces.get('demo')?.ambient).toBe(true);
    expect(snapshot.namespaces.get('default')?.ambient).toBe(false);
    expect(snapshot.nodes.get('node-2')).toEqual({
      name: 'node-2',
      labels: { 'topology.kubernetes.io/region': 'local', 'topology.kubernetes.io/zone': 'zone-b' },
      addresses: ['127.12.0.1'],
      locality: { region: 'local', zone: 'zone-b', subzone: '' },
    });
    expect(snapshot.revision).toBe(store.currentResourceVersion());
  });

  it('names services by FQDN with their per-node VIPs, ports and selector', () => {
    expect([...snapshot.services.keys()].sort()).toEqual([
      'demo/details.demo.svc.cluster.local',
      'demo/productpage.demo.svc.cluster.local',
      'demo/ratings.demo.svc.cluster.local',
      'demo/reviews-v1.demo.svc.cluster.local',
      REVIEWS_V2,
      'demo/reviews-v3.demo.svc.cluster.local',
      REVIEWS,
    ]);
    const reviews = snapshot.services.get(REVIEWS);
    expect(reviews).toMatchObject({
      name: 'reviews',
      namespace: 'demo',
      hostname: 'reviews.demo.svc.cluster.local',
      labels: { app: 'reviews', service: 'reviews' },
      selector: { app: 'reviews' },
      clusterAddresses: [],
      nodeAddresses: { 'node-1': '127.11.128.3', 'node-2': '127.12.128.3' },
      addresses: ['127.11.128.3', '127.12.128.3'],
      ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP', appProtocol: 'HTTP11' }],
      ambient: true,
    });
    expect(reviews?.waypoint).toBeUndefined();
  });

  it('turns each pod into a workload with its identity, telemetry names, health and services', () => {
    const workload = snapshot.workloads.get('Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0');
    expect(workload).toEqual({
      uid: 'Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0',
      name: 'reviews-v2-5d8c9b7f6c-0',
      namespace: 'demo',
      node: 'node-2',
      addresses: ['127.12.1.4'],
      serviceAccount: 'bookinfo-reviews',
      trustDomain: 'cluster.local',
      identity: 'spiffe://cluster.local/ns/demo/sa/bookinfo-reviews',
      labels: { app: 'reviews', version: 'v2', 'pod-template-hash': '5d8c9b7f6c' },
      canonicalName: 'reviews',
      canonicalRevision: 'v2',
      workloadName: 'reviews-v2',
      workloadType: 'DEPLOYMENT',
      status: 'HEALTHY',
      namedPorts: {},
      services: { [REVIEWS]: HTTP_9080, [REVIEWS_V2]: HTTP_9080 },
      ambient: true,
      locality: { region: 'local', zone: 'zone-b', subzone: '' },
    });
    expect(snapshot.workloads.size).toBe(6);
  });

  it('lists each service’s endpoints', () => {
    expect(snapshot.endpoints.get(REVIEWS)).toEqual([
      'Kubernetes//Pod/demo/reviews-v1-5d8c9b7f6c-0',
      'Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0',
      'Kubernetes//Pod/demo/reviews-v3-5d8c9b7f6c-0',
    ]);
    expect(snapshot.endpoints.get(REVIEWS_V2)).toEqual(['Kubernetes//Pod/demo/reviews-v2-5d8c9b7f6c-0']);
    expect(snapshot.endpoints.get('demo/productpage.demo.svc.cluster.local')).toEqual(['Kubernetes//Pod/demo/productpage-v1-5d8c9b7f6c-0']);
  });

  it('keeps the HTTPRoutes for the translators', () => {
    expect([...snapshot.routes.keys()]).toEqual(['demo/reviews']);
    expect(snapshot.routes.get('demo/reviews')?.spec.rules?.[0]?.backendRefs?.map((b) => [b.name, b.weight])).toEqual([
      ['reviews-v1', 90],
      ['reviews-v2', 10],
    ]);
  });

  it('resolves a named target port against each pod’s container port names', () => {
    store.apply(
      [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'ratings-named', namespace: 'demo' },
          spec: { selector: { app: 'ratings' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'ratings-extra', namespace: 'demo', labels: { app: 'ratings' } },
          spec: { nodeName: 'node-1', containers: [{ name: 'ratings', ports: [{ name: 'web', containerPort: 9090 }] }] },
        },
      ],
      { author: 'test' },
    );
    const after = registry.snapshot();
    const key = 'demo/ratings-named.demo.svc.cluster.local';
    expect(after.workloads.get('Kubernetes//Pod/demo/ratings-extra')?.services[key]).toEqual([
      { servicePort: 80, targetPort: 9090, appProtocol: 'HTTP11' },
    ]);
    // The Bookinfo ratings pod has no port named "web": it is selected but that port is not served.
    expect(after.workloads.get('Kubernetes//Pod/demo/ratings-v1-5d8c9b7f6c-0')?.services[key]).toEqual([]);
    // Without status the extra pod has no address and is not running yet.
    expect(after.workloads.get('Kubernetes//Pod/demo/ratings-extra')).toMatchObject({
      addresses: [],
      status: 'UNHEALTHY',
      serviceAccount: 'default',
      identity: 'spiffe://cluster.local/ns/demo/sa/default',
      canonicalName: 'ratings',
      canonicalRevision: 'latest',
      workloadName: 'ratings-extra',
      workloadType: 'POD',
    });
  });
});
