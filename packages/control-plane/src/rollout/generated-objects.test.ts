import { type Canary, type Deployment, validateObject } from '@ambit/shared';
import { describe, expect, it } from 'vitest';
import { toPromQL } from '../telemetry/promql';
import type { TelemetryQuery } from '../telemetry/query';
import type { TelemetrySource } from '../telemetry/source';
import { AMBIT_GATE_URL, goDurationMs } from './canary-model';
import { canaryFromWizard } from './canary-wizard';
import { httpRoute, podTemplateHash, primaryDeployment, routeCanaryWeight, services } from './generated-objects';
import { checkMetrics, judge } from './metric-checks';
import { callWebhooks, sendEvent } from './webhook-calls';

const target: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'test', labels: { app: 'podinfo' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo', version: 'v2' } },
      spec: { containers: [{ name: 'podinfod', image: 'podinfo:6.0.1' }] },
    },
  },
} as Deployment;

const canary = {
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 9898, targetPort: 9898 },
    analysis: {
      interval: '1m',
      iterations: 3,
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } }],
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
        { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
      ],
    },
  },
} as Canary;

describe('objects a Canary owns', () => {
  it('a primary Deployment whose selector labels end in -primary, running the target template', () => {
    const primary = primaryDeployment(canary, target, 2) as unknown as Deployment;
    expect(primary.metadata).toMatchObject({
      name: 'podinfo-primary',
      namespace: 'test',
      ownerReferences: [{ kind: 'Canary', name: 'podinfo' }],
    });
    expect(primary.spec.selector.matchLabels).toEqual({ app: 'podinfo-primary' });
    expect(primary.spec.template.metadata?.labels).toEqual({ app: 'podinfo-primary', version: 'v2' });
    expect(primary.spec.template.spec).toEqual(target.spec.template.spec);
    expect(() => validateObject(primary)).not.toThrow();
  });

  it('three Services: apex and -primary select the primary, -canary the target', () => {
    const [apex, primary, canarySvc] = services(canary, target).map((s) => ({
      name: s.metadata.name,
      ...(s.spec as { selector: Record<string, string>; ports: object[] }),
    }));
    expect(apex).toMatchObject({ name: 'podinfo', selector: { app: 'podinfo-primary' } });
    expect(primary).toMatchObject({ name: 'podinfo-primary', selector: { app: 'podinfo-primary' } });
    expect(canarySvc).toMatchObject({ name: 'podinfo-canary', selector: { app: 'podinfo' } });
    expect(canarySvc?.ports).toEqual([{ name: 'http', port: 9898, targetPort: 9898, protocol: 'TCP' }]);
  });

  it('an HTTPRoute attached to the apex Service (GAMMA) with the weights, and A/B match rules sending matching requests to the canary', () => {
    const route = httpRoute(canary, 30, false);
    expect(() => validateObject(route)).not.toThrow();
    expect(route.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'podinfo', port: 9898 }],
      rules: [
        {
          backendRefs: [
            { group: '', kind: 'Service', name: 'podinfo-primary', port: 9898, weight: 70 },
            { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898, weight: 30 },
          ],
        },
      ],
    });
    expect(routeCanaryWeight(canary, route)).toBe(30);
    const ab = httpRoute(canary, 0, true);
    expect(() => validateObject(ab)).not.toThrow();
    const rules = (ab.spec as { rules: { matches?: unknown[]; backendRefs: { weight: number }[] }[] }).rules;
    expect(rules.map((r) => r.matches)).toEqual([
      [{ headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] }],
      [{ headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;)?(canary=always)(;.*)?$' }] }],
      undefined,
    ]);
    expect(rules.map((r) => r.backendRefs.map((b) => b.weight))).toEqual([
      [0, 100],
      [0, 100],
      [100, 0],
    ]);
  });

  it('gatewayRefs become the parents, with the hosts as hostnames (Flagger’s Gateway API provider)', () => {
    const withGateway = {
      ...canary,
      spec: {
        ...canary.spec,
        service: { ...canary.spec.service, hosts: ['app.example.com'], gatewayRefs: [{ name: 'contour', namespace: 'projectcontour' }] },
      },
    } as Canary;
    expect(httpRoute(withGateway, 10, false).spec).toMatchObject({
      parentRefs: [{ name: 'contour', namespace: 'projectcontour' }],
      hostnames: ['app.example.com'],
    });
  });

  it('the revision hash changes with the pod template only', () => {
    const moreReplicas = { ...target, spec: { ...target.spec, replicas: 5 } };
    expect(podTemplateHash(moreReplicas)).toBe(podTemplateHash(target));
    const newImage = structuredClone(target);
    (newImage.spec.template.spec.containers[0] as { image: string }).image = 'podinfo:6.0.2';
    expect(podTemplateHash(newImage)).not.toBe(podTemplateHash(target));
  });

  it('reads Go durations', () => {
    expect(goDurationMs('1m30s')).toBe(90_000);
    expect(goDurationMs('500ms')).toBe(500);
    expect(goDurationMs('2h')).toBe(7_200_000);
    expect(goDurationMs('soon')).toBeUndefined();
  });
});

describe('metric checks', () => {
  const asked: string[] = [];
  const telemetry = (values: Record<string, number | undefined>): TelemetrySource => ({
    backend: 'test',
    async instant(query: TelemetryQuery) {
      asked.push(toPromQL(query));
      const value = values[query.kind];
      return { at: 0, samples: value === undefined ? [] : [{ labels: {}, value }] };
    },
    async range() {
      return { timestamps: [], series: [] };
    },
    async targets() {
      return [];
    },
  });

  it('asks Flagger’s queries about the canary workload, reported by the waypoint, over each metric’s interval', async () => {
    asked.length = 0;
    const checks = await checkMetrics(canary, telemetry({ ratio: 0.995, quantile: 120 }), 0);
    expect(checks.map((c) => [c.name, c.value, c.passed])).toEqual([
      ['request-success-rate', 99.5, true],
      ['request-duration', 120, true],
    ]);
    expect(asked[0]).toContain(
      'istio_requests_total{reporter="waypoint", destination_workload_namespace="test", destination_workload=~"podinfo"',
    );
    expect(asked[0]).toContain('response_code!~"5.*"');
    expect(asked[0]).toContain('[60s]');
    expect(asked[1]).toContain('histogram_quantile(0.99');
    expect(asked[1]).toContain('[30s]');
  });

  it('fails below min and above max; no data (NaN, nothing) fails too', async () => {
    const bad = await checkMetrics(canary, telemetry({ ratio: 0.8, quantile: 900 }), 0);
    expect(bad.map((c) => c.message)).toEqual(['request-success-rate 80% < 99%', 'request-duration 900ms > 500ms']);
    const none = await checkMetrics(canary, telemetry({ ratio: Number.NaN }), 0);
    expect(none.map((c) => [c.value, c.passed])).toEqual([
      [null, false],
      [null, false],
    ]);
    expect(judge({ name: 'x', thresholdRange: { min: 1 } }, null, '').message).toBe('no values found for metric x');
  });

  it('custom metric templates are failed checks with a reason, not silently passed', async () => {
    const custom = {
      ...canary,
      spec: { ...canary.spec, analysis: { metrics: [{ name: 'error-rate', templateRef: { name: 'error-rate' } }] } },
    } as Canary;
    const [check] = await checkMetrics(custom, telemetry({}), 0);
    expect(check).toMatchObject({ passed: false, value: null });
    expect(check?.message).toContain('only the built-in');
  });
});

describe('webhooks', () => {
  it('POSTs Flagger’s payload; 2xx passes, anything else fails; Ambit’s gate URL is never called', async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fetcher = async (url: string, init: { body: string }) => {
      calls.push({ url, body: JSON.parse(init.body) });
      return { status: url.includes('ok') ? 200 : 403, text: async () => 'closed' };
    };
    const withHooks = {
      ...canary,
      status: { phase: 'Progressing', lastAppliedSpec: 'abc123' },
      spec: {
        ...canary.spec,
        analysis: {
          webhooks: [
            { name: 'ok', type: 'confirm-promotion', url: 'http://tester/ok', metadata: { cmd: 'x' } },
            { name: 'closed', type: 'confirm-promotion', url: 'http://tester/gate' },
            { name: 'ambit', type: 'confirm-promotion', url: AMBIT_GATE_URL },
            { name: 'events', type: 'event', url: 'http://tester/ok-events' },
          ],
        },
      },
    } as Canary;
    const results = await callWebhooks(withHooks, 'confirm-promotion', fetcher);
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['ok', true],
      ['closed', false],
    ]);
    expect(results[1]?.message).toBe('confirm-promotion closed failed: 403 closed');
    expect(calls[0]).toEqual({
      url: 'http://tester/ok',
      body: { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'abc123', metadata: { cmd: 'x' } },
    });
    await sendEvent(withHooks, { time: '2026-11-27T00:00:00.000Z', type: 'Warning', reason: 'Synced', message: 'Halt' }, fetcher);
    expect(calls.at(-1)?.body).toMatchObject({
      name: 'podinfo',
      metadata: { eventMessage: 'Halt', eventType: 'Warning', timestamp: String(Date.parse('2026-11-27T00:00:00.000Z')) },
    });
  });

  it('a webhook that does not answer in time fails', async () => {
    const slow = {
      ...canary,
      spec: { ...canary.spec, analysis: { webhooks: [{ name: 'slow', type: 'pre-rollout', url: 'http://tester/', timeout: '50ms' }] } },
    } as Canary;
    const never = (_url: string, init: { signal: AbortSignal }) =>
      new Promise<never>((_resolve, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const [result] = await callWebhooks(slow, 'pre-rollout', never);
    expect(result?.message).toBe('pre-rollout slow failed: timed out after 50 ms');
  });
});

describe('the wizard', () => {
  it('writes a Canary the schema accepts, with built-in gates and the planned steps', () => {
    const preview = canaryFromWizard({
      namespace: 'shop',
      target: 'reviews',
      service: { port: 9080 },
      strategy: 'canary',
      interval: '30s',
      threshold: 3,
      maxWeight: 50,
      stepWeight: 20,
      gates: { confirmPromotion: true },
    });
    expect(() => validateObject(preview.canary)).not.toThrow();
    expect(preview.steps).toEqual([20, 40, 60]);
    expect(preview.canary.spec.analysis?.webhooks).toEqual([
      { name: 'ambit-approve-promotion', type: 'confirm-promotion', url: AMBIT_GATE_URL },
    ]);
    const ab = canaryFromWizard({
      namespace: 'shop',
      target: 'reviews',
      service: { port: 9080 },
      strategy: 'ab-testing',
      interval: '1m',
      threshold: 2,
    });
    expect(ab.warnings).toContain('A/B testing needs at least one match rule');
  });
});
