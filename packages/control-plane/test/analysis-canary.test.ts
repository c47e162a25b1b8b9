import { describe, expect, it } from 'vitest';
import { ambientMesh, canary, deployment, httpRoute, only, run, service, summary, toService } from './analysis-fixtures';

const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' };
const metrics = [
  { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
  { name: 'request-duration', interval: '1m', thresholdRange: { max: 500 } },
];
const good = { interval: '30s', threshold: 5, maxWeight: 50, stepWeight: 10, metrics };

/** The podinfo Deployment with the Services and HTTPRoute a canary shifts traffic with. */
function podinfo() {
  return [
    ...ambientMesh(),
    deployment('podinfo', { app: 'podinfo' }, [{ containerPort: 9898, name: 'http' }]),
    service('podinfo', { app: 'podinfo' }, { port: 9898 }),
    service('podinfo-primary', { app: 'podinfo-primary' }, { port: 9898 }),
    service('podinfo-canary', { app: 'podinfo' }, { port: 9898 }),
    httpRoute('podinfo', {
      parentRefs: [{ ...toService('podinfo'), port: 9898 }],
      rules: [
        {
          backendRefs: [
            { name: 'podinfo-primary', port: 9898, weight: 100 },
            { name: 'podinfo-canary', port: 9898, weight: 0 },
          ],
        },
      ],
    }),
  ];
}

describe('analysis: Flagger Canaries', () => {
  it('reports a canary with no way to shift traffic', () => {
    const messages = run([
      ...podinfo(),
      canary('podinfo', { targetRef: target, service: { port: 9898 }, analysis: { interval: '30s', metrics } }),
    ]);
    expect(summary(messages)).toEqual(['AMB0021 Canary demo/podinfo spec.analysis']);
    expect(messages[0]?.level).toBe('Error');
  });

  it('reports steps that overshoot maxWeight, with the weights the canary will get, and stepWeights that go down', () => {
    const messages = run([
      ...podinfo(),
      canary('linear', { targetRef: target, service: { port: 9898 }, analysis: { ...good, maxWeight: 50, stepWeight: 20 } }),
      canary('listed', {
        targetRef: target,
        service: { port: 9898 },
        analysis: { ...good, stepWeight: undefined, stepWeights: [10, 30, 20] },
      }),
    ]);
    expect(only(messages, 'AMB0022').map((m) => [m.resource.name, m.path, m.message])).toEqual([
      ['linear', 'spec.analysis.stepWeight', 'Steps of 20 overshoot maxWeight 50: the canary gets 20, 40, 60% before promotion'],
      ['listed', 'spec.analysis.stepWeights[2]', 'stepWeights must increase: 20 follows 30, so traffic to the canary goes back down'],
    ]);
  });

  it('reports checks that cannot work: too short an interval, impossible thresholds, an unknown metric without a template', () => {
    const analysis = {
      ...good,
      interval: '5s',
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99, max: 90 } },
        { name: 'request-duration', thresholdRange: { max: 0 } },
        { name: 'error-budget', thresholdRange: { max: 1 } },
      ],
    };
    const messages = run([...podinfo(), canary('podinfo', { targetRef: target, service: { port: 9898 }, analysis })]);
    expect(summary(only(messages, 'AMB0023'))).toEqual([
      'AMB0023 Canary demo/podinfo spec.analysis.interval',
      'AMB0023 Canary demo/podinfo spec.analysis.metrics[0].thresholdRange',
      'AMB0023 Canary demo/podinfo spec.analysis.metrics[1].thresholdRange.max',
      'AMB0023 Canary demo/podinfo spec.analysis.metrics[2].name',
    ]);
  });

  it("reports a target port the Deployment's containers do not declare", () => {
    const messages = run([
      ...podinfo(),
      canary('podinfo', { targetRef: target, service: { port: 9898, targetPort: 'grpc' }, analysis: good }),
    ]);
    expect(only(messages, 'AMB0024')).toEqual([
      expect.objectContaining({
        path: 'spec.service.targetPort',
        message:
          'Deployment demo/podinfo declares no container port grpc (it declares http (9898)): canary traffic would find nothing listening',
      }),
    ]);
  });

  it('notes (Info) that the Services and HTTPRoute do not exist yet', () => {
    const messages = run([
      ...ambientMesh(),
      deployment('podinfo', { app: 'podinfo' }, [{ containerPort: 9898 }]),
      canary('podinfo', { targetRef: target, service: { port: 9898 }, analysis: good }),
    ]);
    expect(messages).toEqual([
      expect.objectContaining({
        code: 'AMB0025',
        level: 'Info',
        path: 'spec.service',
        message: expect.stringMatching(
          /^Services demo\/podinfo, demo\/podinfo-primary, demo\/podinfo-canary and an HTTPRoute with backends podinfo, podinfo-primary, podinfo-canary do not exist yet/,
        ),
      }),
    ]);
  });

  it('is quiet for a well-formed canary whose target, Services and route exist', () => {
    expect(run([...podinfo(), canary('podinfo', { targetRef: target, service: { port: 9898 }, analysis: good })])).toEqual([]);
  });
});
