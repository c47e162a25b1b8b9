import { describe, expect, it } from 'vitest';
import {
  ambientMesh,
  authorizationPolicy,
  canary,
  deployment,
  httpRoute,
  namespace,
  only,
  pod,
  run,
  service,
  summary,
  toService,
  waypoint,
} from './analysis-fixtures';

describe('analysis: referenced objects that do not exist', () => {
  it('reports a missing parent Service, targetRefs Gateway, Canary target and namespace with IST0101 and the field', () => {
    const messages = run([
      ...ambientMesh(),
      httpRoute('reviews', { parentRefs: [toService('reviews')], rules: [] }),
      authorizationPolicy('waypoint-only', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'ghost' }] }),
      canary('podinfo', { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, service: { port: 9898 } }),
      service('orphan', { app: 'orphan' }, { ns: 'nowhere' }),
    ]);
    expect(only(messages, 'IST0101')).toEqual([
      expect.objectContaining({
        resource: { kind: 'AuthorizationPolicy', namespace: 'demo', name: 'waypoint-only' },
        path: 'spec.targetRefs[0]',
        message: 'Referenced Gateway demo/ghost not found',
      }),
      expect.objectContaining({ path: 'spec.targetRef', message: 'Referenced Deployment demo/podinfo not found' }),
      expect.objectContaining({ path: 'spec.parentRefs[0]', message: 'Referenced Service demo/reviews not found' }),
      expect.objectContaining({
        resource: { kind: 'Service', namespace: 'nowhere', name: 'orphan' },
        path: 'metadata.namespace',
        message: 'Referenced Namespace nowhere not found',
      }),
    ]);
    expect(messages.every((m) => m.code !== 'IST0101' || m.level === 'Error')).toBe(true);
  });

  it('says nothing when every referenced object exists', () => {
    const messages = run([
      ...ambientMesh(),
      service('reviews', { app: 'reviews' }),
      deployment('podinfo', { app: 'podinfo' }),
      httpRoute('reviews', { parentRefs: [toService('reviews')], rules: [{ backendRefs: [{ name: 'reviews', port: 9080 }] }] }),
      authorizationPolicy('waypoint-only', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }),
      canary('podinfo', { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, service: { port: 9080 } }),
    ]);
    expect(only(messages, 'IST0101', 'AMB0012')).toEqual([]);
  });

  it('names the missing namespace of a cross-namespace reference, and flags parent kinds Ambit lacks', () => {
    const messages = run([
      ...ambientMesh(),
      httpRoute('cross', {
        parentRefs: [
          { kind: 'Service', group: '', name: 'api', namespace: 'other' },
          { kind: 'TCPRoute', name: 'x' },
        ],
      }),
    ]);
    expect(summary(only(messages, 'IST0101', 'AMB0012'))).toEqual([
      'AMB0012 HTTPRoute demo/cross spec.parentRefs[1].kind',
      'IST0101 HTTPRoute demo/cross spec.parentRefs[0]',
    ]);
    expect(only(messages, 'IST0101')[0]?.message).toBe('Referenced Service other/api not found (namespace other does not exist)');
  });

  it('assumes the namespaces of files analysed without the store exist', () => {
    expect(only(run([service('reviews', { app: 'reviews' }, { ns: 'fresh' })]), 'IST0101')).toEqual([]);
  });
});

describe('analysis: istio.io/use-waypoint labels', () => {
  const label = 'metadata.labels["istio.io/use-waypoint"]';

  it('reports a label naming a waypoint that does not exist, on a Namespace, Service or Pod', () => {
    const messages = run([
      namespace('default'),
      namespace('istio-system'),
      namespace('demo', {
        'istio.io/dataplane-mode': 'ambient',
        'istio.io/use-waypoint': 'missing',
        'istio.io/use-waypoint-namespace': 'shared',
      }),
      service('reviews', { app: 'reviews' }, { labels: { 'istio.io/use-waypoint': 'reviews-wp' } }),
      pod('reviews-1', { app: 'reviews', 'istio.io/use-waypoint': 'pod-wp' }),
    ]);
    expect(summary(only(messages, 'IST0101'))).toEqual([
      `IST0101 Namespace demo ${label}`,
      `IST0101 Pod demo/reviews-1 ${label}`,
      `IST0101 Service demo/reviews ${label}`,
    ]);
    expect(only(messages, 'IST0101')[0]?.message).toBe('Referenced waypoint shared/missing not found (namespace shared does not exist)');
  });

  it('reports a Gateway that is not a waypoint, and a waypoint that does not serve the labelled traffic (the registry resolver says why)', () => {
    const ingress = {
      ...waypoint('ingress'),
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    const messages = run([
      ...ambientMesh(),
      ingress,
      waypoint('workload-wp', 'demo', { 'istio.io/waypoint-for': 'workload' }),
      service('reviews', { app: 'reviews' }, { labels: { 'istio.io/use-waypoint': 'ingress' } }),
      service('ratings', { app: 'ratings' }, { labels: { 'istio.io/use-waypoint': 'workload-wp' } }),
    ]);
    expect(only(messages, 'AMB0013').map((m) => [m.resource.name, m.path, m.message])).toEqual([
      [
        'ratings',
        label,
        'waypoint demo/workload-wp serves workload traffic (istio.io/waypoint-for), not service traffic; this traffic does not go through a waypoint',
      ],
      ['reviews', label, 'Gateway demo/ingress is not a waypoint: its gatewayClassName is istio, not istio-waypoint'],
    ]);
  });

  it('accepts labels naming an existing waypoint, and `none`', () => {
    const messages = run([
      ...ambientMesh(),
      service('reviews', { app: 'reviews' }, { labels: { 'istio.io/use-waypoint': 'waypoint' } }),
      pod('ratings-1', { app: 'ratings', 'istio.io/use-waypoint': 'none' }),
      deployment('details', { app: 'details', 'istio.io/use-waypoint': 'none' }),
    ]);
    expect(only(messages, 'IST0101', 'AMB0013')).toEqual([]);
  });
});
