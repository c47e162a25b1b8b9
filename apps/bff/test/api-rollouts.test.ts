import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMBIT_GATE_URL } from '@ambit/control-plane';
import { readManifests, validateObject } from '@ambit/shared';
import { describe, expect } from 'vitest';
import { expectFailure } from './support/api-harness';
import { it } from './support/api-test';

const FLAGGER_DOC_CANARY = join(__dirname, 'fixtures/flagger/podinfo-canary-gatewayapi.yaml');

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop, labels: { istio.io/waypoint-for: service } }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
---
apiVersion: v1
kind: Service
metadata: { name: waypoint, namespace: shop, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }
spec:
  selector: { gateway.networking.k8s.io/gateway-name: waypoint }
  ports: [{ name: mesh, port: 15008 }]
---
apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: shop }
spec:
  selector: { app: reviews }
  ports: [{ name: http, port: 9080 }]
---
apiVersion: v1
kind: Service
metadata: { name: reviews-v1, namespace: shop }
spec:
  selector: { app: reviews, version: v1 }
  ports: [{ name: http, port: 9080 }]
---
apiVersion: v1
kind: Service
metadata: { name: reviews-v2, namespace: shop }
spec:
  selector: { app: reviews, version: v2 }
  ports: [{ name: http, port: 9080 }]
`;

const CANARY = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: reviews, namespace: shop }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: reviews }
  service: { port: 9080 }
  analysis:
    interval: 10s
    threshold: 3
    maxWeight: 30
    stepWeight: 10
    metrics: [{ name: request-success-rate, thresholdRange: { min: 99 }, interval: 30s }]
    webhooks: [{ name: approve, type: confirm-promotion, url: ${AMBIT_GATE_URL} }]
`;

describe('rollouts and traffic procedures', () => {
  it('accepts the Canary from Flagger’s Gateway API tutorial unchanged and lists it with its planned steps', async ({ client }) => {
    const yaml = readFileSync(FLAGGER_DOC_CANARY, 'utf8');
    for (const manifest of readManifests(yaml)) expect(() => validateObject(manifest.object)).not.toThrow();
    await client.resources.applyManifests.mutate({ yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: test }\n' });
    const applied = await client.resources.applyManifests.mutate({ yaml });
    expect(applied.results).toMatchObject([{ kind: 'Canary', namespace: 'test', name: 'podinfo', action: 'created' }]);

    const { items } = await client.rollouts.list.query({});
    expect(items).toEqual([
      expect.objectContaining({
        namespace: 'test',
        name: 'podinfo',
        target: 'podinfo',
        service: 'podinfo',
        strategy: 'canary',
        phase: null,
        threshold: 5,
      }),
    ]);
    const detail = await client.rollouts.get.query({ namespace: 'test', name: 'podinfo' });
    expect(detail.steps).toEqual([10, 20, 30, 40, 50]);
    expect(detail.intervalSeconds).toBe(60);
  });

  it('previews a Canary from the wizard, with Ambit’s built-in gate, that applies as written', async ({ client }) => {
    const preview = await client.rollouts.createPreview.query({
      namespace: 'shop',
      target: 'reviews',
      service: { port: 9080 },
      strategy: 'canary',
      interval: '30s',
      threshold: 3,
      stepWeights: [5, 25, 50],
      gates: { confirmPromotion: true },
    });
    expect(preview.steps).toEqual([5, 25, 50]);
    expect(preview.yaml).toContain('kind: Canary');
    expect(preview.yaml).toContain(AMBIT_GATE_URL);
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const applied = await client.resources.applyManifests.mutate({ yaml: preview.yaml });
    expect(applied.results[0]).toMatchObject({ kind: 'Canary', name: 'reviews', action: 'created' });

    const bad = await expectFailure(
      client.rollouts.createPreview.query({
        namespace: 'shop',
        target: 'reviews',
        service: { port: 9080 },
        stepWeights: [50, 10],
      } as never),
    );
    expect(bad.httpStatus).toBe(400);
  });

  it('records approvals and commands in the status, refuses those that do not fit the phase, and pauses with spec.suspend', async ({
    api,
    client,
  }) => {
    await client.resources.applyManifests.mutate({ yaml: `${SHOP}---\n${CANARY}` });
    const key = { kind: 'Canary', namespace: 'shop', name: 'reviews' };
    const refused = await expectFailure(client.rollouts.approve.mutate({ namespace: 'shop', name: 'reviews', gate: 'confirm-promotion' }));
    expect(refused.httpStatus).toBe(409);
    // The controller's part, written as it would: a run waiting at the promotion gate.
    api.controlPlane.store.updateStatus(key, {
      phase: 'WaitingPromotion',
      canaryWeight: 30,
      failedChecks: 0,
      iterations: 0,
      lastAppliedSpec: 'abc',
      ambit: {
        gate: { type: 'confirm-promotion', webhook: 'approve', url: AMBIT_GATE_URL, builtIn: true, since: new Date().toISOString() },
      },
    });
    const waiting = await client.rollouts.get.query({ namespace: 'shop', name: 'reviews' });
    expect(waiting).toMatchObject({
      phase: 'WaitingPromotion',
      canaryWeight: 30,
      primaryWeight: 70,
      gate: { type: 'confirm-promotion', builtIn: true },
    });

    const approved = await client.rollouts.approve.mutate({ namespace: 'shop', name: 'reviews', gate: 'confirm-promotion' });
    expect(approved.approvals).toEqual([{ gate: 'confirm-promotion', by: api.admin.username, at: expect.any(String) }]);
    const noSuchGate = await expectFailure(client.rollouts.approve.mutate({ namespace: 'shop', name: 'reviews', gate: 'confirm-rollout' }));
    expect(noSuchGate.httpStatus).toBe(409);

    await client.rollouts.abort.mutate({ namespace: 'shop', name: 'reviews' });
    const status = api.controlPlane.store.get(key)?.status as { ambit?: { commands?: Record<string, { by: string }> } };
    expect(status.ambit?.commands?.abort?.by).toBe(api.admin.username);
    expect((await expectFailure(client.rollouts.retry.mutate({ namespace: 'shop', name: 'reviews' }))).httpStatus).toBe(409);

    const paused = await client.rollouts.pause.mutate({ namespace: 'shop', name: 'reviews' });
    expect(paused.suspended).toBe(true);
    const history = await client.resources.history.query({ kind: 'Canary', namespace: 'shop', name: 'reviews' });
    expect(history.at(-1)).toMatchObject({ author: api.admin.username, changedPaths: ['spec.suspend'] });
    expect((await client.rollouts.resume.mutate({ namespace: 'shop', name: 'reviews' })).suspended).toBe(false);

    const audit = await client.audit.list.query({});
    const procedures = audit.entries.map((e) => e.procedure);
    expect(procedures).toEqual(expect.arrayContaining(['rollouts.approve', 'rollouts.abort', 'rollouts.pause', 'rollouts.resume']));
  });

  it('splits a service behind a waypoint: preview as a diff, apply into history, undo', async ({ client }) => {
    await client.resources.applyManifests.mutate({ yaml: SHOP });
    const before = await client.traffic.get.query({ namespace: 'shop', service: 'reviews' });
    expect(before).toMatchObject({ waypoint: 'shop/waypoint', route: null, backends: [{ name: 'reviews', weight: 100 }] });
    expect(before.candidates.map((c) => c.name)).toEqual(expect.arrayContaining(['reviews', 'reviews-v1', 'reviews-v2']));

    const backends = [
      { name: 'reviews-v1', weight: 80 },
      { name: 'reviews-v2', weight: 20 },
    ];
    const preview = await client.traffic.preview.query({ namespace: 'shop', service: 'reviews', backends });
    expect(preview.before).toBeNull();
    expect(preview.after).toContain('kind: HTTPRoute');
    expect(preview.after).toContain('weight: 20');

    const wrong = await expectFailure(
      client.traffic.applySplit.mutate({ namespace: 'shop', service: 'reviews', backends: [{ name: 'reviews-v1', weight: 70 }] }),
    );
    expect(wrong.httpStatus).toBe(400);
    expect(wrong.message).toContain('sum to 100');

    const first = await client.traffic.applySplit.mutate({ namespace: 'shop', service: 'reviews', backends });
    expect(first).toMatchObject({ action: 'created', revision: 1 });
    expect(first.split.backends.map((b) => [b.name, b.weight])).toEqual([
      ['reviews-v1', 80],
      ['reviews-v2', 20],
    ]);
    const second = await client.traffic.applySplit.mutate({
      namespace: 'shop',
      service: 'reviews',
      backends: [
        { name: 'reviews-v1', weight: 50 },
        { name: 'reviews-v2', weight: 50 },
      ],
      resourceVersion: first.split.resourceVersion ?? undefined,
    });
    expect(second).toMatchObject({ action: 'configured', revision: 2 });
    const diff = await client.traffic.preview.query({ namespace: 'shop', service: 'reviews', backends });
    expect(diff.changedPaths).toEqual(['spec.rules[0].backendRefs[0].weight', 'spec.rules[0].backendRefs[1].weight']);
    const stale = await expectFailure(
      client.traffic.applySplit.mutate({
        namespace: 'shop',
        service: 'reviews',
        backends,
        resourceVersion: first.split.resourceVersion ?? undefined,
      }),
    );
    expect(stale.httpStatus).toBe(409);

    const undone = await client.traffic.undo.mutate({ namespace: 'shop', service: 'reviews' });
    expect(undone.action).toBe('reverted');
    expect(undone.split.backends.map((b) => b.weight)).toEqual([80, 20]);
    const history = await client.resources.history.query({ kind: 'HTTPRoute', namespace: 'shop', name: 'reviews' });
    expect(history.map((h) => h.operation)).toEqual(['create', 'update', 'revert']);
    expect((await client.traffic.undo.mutate({ namespace: 'shop', service: 'reviews' })).action).toBe('reverted');
    expect((await client.traffic.list.query({ namespace: 'shop' })).items.map((s) => s.service)).toContain('reviews');
  });
});
