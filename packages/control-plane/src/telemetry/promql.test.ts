import { describe, expect, it } from 'vitest';
import { requestDuration, requestSuccessRate } from './istio-metrics';
import { toPromQL } from './promql';
import { equal, matching, notMatching, quantileQuery, rateQuery, ratioQuery, sumQuery, validateQuery } from './query';

describe('toPromQL', () => {
  it('writes a rate query the way Kiali writes its graph queries', () => {
    const q = rateQuery('istio_requests_total', {
      windowSeconds: 60,
      matchers: [equal('reporter', 'waypoint')],
      by: ['source_workload', 'source_workload_namespace', 'destination_service', 'response_code'],
    });
    expect(toPromQL(q)).toBe(
      'sum by (source_workload, source_workload_namespace, destination_service, response_code) (rate(istio_requests_total{reporter="waypoint"}[60s]))',
    );
  });

  it('writes a ratio that is 0, not missing, for a group without numerator series', () => {
    const q = ratioQuery('istio_requests_total', [notMatching('response_code', '5.*')], {
      windowSeconds: 30,
      by: ['destination_workload'],
    });
    const all = 'sum by (destination_workload) (rate(istio_requests_total[30s]))';
    expect(toPromQL(q)).toBe(
      `(sum by (destination_workload) (rate(istio_requests_total{response_code!~"5.*"}[30s])) or 0 * ${all}) / ${all}`,
    );
  });

  it('writes Flagger’s built-in metrics for a workload behind a waypoint', () => {
    const target = { namespace: 'demo', workload: 'reviews(-canary)?', windowSeconds: 60 };
    const m = 'reporter="waypoint", destination_workload_namespace="demo", destination_workload=~"reviews(-canary)?"';
    expect(toPromQL(requestDuration(target))).toBe(
      `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${m}}[60s])))`,
    );
    expect(toPromQL(requestSuccessRate(target))).toContain(`rate(istio_requests_total{${m}, response_code!~"5.*"}[60s])`);
  });

  it('escapes label values and writes sub-second windows in ms', () => {
    const q = quantileQuery(0.5, 'h', { windowSeconds: 1.5, matchers: [matching('path', '/a\\d+"x"')], by: ['app'] });
    expect(toPromQL(q)).toBe('histogram_quantile(0.5, sum by (le, app) (rate(h_bucket{path=~"/a\\\\d+\\"x\\""}[1500ms])))');
    expect(toPromQL(sumQuery('up'))).toBe('sum(up)');
  });
});

describe('validateQuery', () => {
  it('names the field of a bad query', () => {
    expect(() => validateQuery(rateQuery('bad-name', { windowSeconds: 60 }))).toThrow(/metric: "bad-name" is not a metric name/);
    expect(() => validateQuery(rateQuery('m', { windowSeconds: 0 }))).toThrow(/windowSeconds/);
    expect(() => validateQuery(quantileQuery(2, 'h', { windowSeconds: 60 }))).toThrow(/quantile/);
    expect(() => validateQuery(rateQuery('m', { windowSeconds: 60, matchers: [matching('a', '(')] }))).toThrow(/matchers\[0\]\.value/);
    expect(() => validateQuery(quantileQuery(0.5, 'h', { windowSeconds: 60, by: ['le'] }))).toThrow(/by\[0\]/);
  });
});
