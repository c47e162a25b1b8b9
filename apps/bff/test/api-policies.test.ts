import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, adminClient, apiClient, expectFailure, startApiHarness } from './support/api-harness';

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/dataplane-mode: ambient }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { app: web } }
spec:
  serviceAccountName: web
  nodeName: node-1
  containers: [{ name: web, image: web, ports: [{ containerPort: 8080 }] }]
---
apiVersion: v1
kind: Pod
metadata: { name: frontend-1, namespace: shop, labels: { app: frontend } }
spec:
  serviceAccountName: frontend
  nodeName: node-1
  containers: [{ name: frontend, image: frontend }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: web-from-frontend, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  action: ALLOW
  rules:
  - from: [{ source: { principals: [cluster.local/ns/shop/sa/frontend] } }]
    to: [{ operation: { ports: ["8080"], methods: [GET] } }]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: strict, namespace: shop }
spec:
  mtls: { mode: STRICT }
`;

describe('policies.* procedures', () => {
  let api: ApiHarness;
  let viewer: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    api = await startApiHarness();
    const admin = await adminClient(api);
    await admin.resources.applyManifests.mutate({ yaml: SHOP });
    // Pod status is a subresource (apply leaves it alone): write it as the kubelet would.
    for (const [name, ip] of [
      ['web-1', '127.10.0.5'],
      ['frontend-1', '127.10.0.6'],
    ] as const) {
      api.controlPlane.store.updateStatus(
        { kind: 'Pod', namespace: 'shop', name },
        { phase: 'Running', podIP: ip, containerStatuses: [{ name: name.split('-')[0], ready: true }] },
      );
    }
    viewer = apiClient(api.apiUrl, { bearer: (await admin.tokens.create.mutate({ name: 'viewer', role: 'viewer' })).token });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists every policy with its scope, enforcement point, what it applies to and analysis messages', async () => {
    const { policies } = await viewer.policies.list.query({ namespace: 'shop' });
    expect(policies.map((p) => [p.kind, p.name, p.scope, p.enforcement, p.action])).toEqual([
      ['AuthorizationPolicy', 'web-from-frontend', 'workload', 'ztunnel', 'ALLOW'],
      ['PeerAuthentication', 'strict', 'namespace', 'ztunnel', 'STRICT'],
    ]);
    const allow = policies[0];
    expect(allow?.appliesTo.workloads).toEqual(['shop/web-1']);
    // The methods make the ALLOW rule unenforceable at ztunnel: analysis says so.
    expect(allow?.messages.map((m) => m.path)).toContain('spec.rules[0].to[0].operation.methods');
  });

  it('simulates a request with the deciding policy and rule, as a viewer', async () => {
    const result = await viewer.policies.simulate.query({
      source: { workload: 'shop/frontend' },
      destination: { service: 'shop/web' },
      port: 80,
    });
    expect(result.outcome).toBe('deny');
    expect(result.hops.at(-1)).toMatchObject({
      point: 'destination-ztunnel',
      decision: 'deny',
      policies: expect.arrayContaining(['shop/web-from-frontend']),
    });
    const missing = await expectFailure(
      viewer.policies.simulate.query({ source: { workload: 'shop/nope' }, destination: { service: 'shop/web' }, port: 80 }),
    );
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no workload shop\/nope/) });
  });

  it('previews a draft with no proxies running (no flows), and says why a draft does not parse', async () => {
    const draft =
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: deny-all }\nspec: { action: DENY, rules: [{}] }\n';
    const report = await viewer.policies.impact.query({ yaml: draft, namespace: 'shop' });
    expect(report).toMatchObject({ draft: ['AuthorizationPolicy/shop/deny-all'], flows: 0, allowToDeny: [], denyToAllow: [] });
    const bad = await expectFailure(viewer.policies.impact.query({ yaml: 'kind: AuthorizationPolicy\nspec: { rule: [] }\n' }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.ambit?.details.length).toBeGreaterThan(0);
    const generated = await viewer.policies.generate.query({ namespace: 'shop' });
    expect(generated).toMatchObject({ namespace: 'shop', policies: [], yaml: '', flows: 0 });
    expect(generated.notes[0]).toMatch(/no allowed traffic/);
  });

  it('refuses callers without credentials and rejects invalid input with the field named', async () => {
    const anonymous = apiClient(api.apiUrl);
    expect(await expectFailure(anonymous.policies.list.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(
      await expectFailure(anonymous.policies.simulate.query({ source: { workload: 'a/b' }, destination: { service: 'a/c' }, port: 1 })),
    ).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const badPort = await expectFailure(
      viewer.policies.simulate.query({ source: { workload: 'shop/frontend' }, destination: { service: 'shop/web' }, port: 70_000 }),
    );
    expect(badPort).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/port/) });
    const badPath = await expectFailure(
      viewer.policies.simulate.query({
        source: { workload: 'shop/frontend' },
        destination: { service: 'shop/web' },
        port: 80,
        path: 'no-slash',
      }),
    );
    expect(badPath.message).toMatch(/path: must start with \//);
    expect(await expectFailure(viewer.policies.generate.query({ namespace: 'Not A Namespace' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await expectFailure(viewer.policies.impact.query({ yaml: '' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
