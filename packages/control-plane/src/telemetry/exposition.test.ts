import { isAmbitError } from '@ambit/shared/errors';
import { describe, expect, it } from 'vitest';
import { parseExposition, parseGoFloat } from './exposition';

/** What a waypoint serves on :15020, written by hand after Istio's exposition (two buckets cut for brevity). */
const WAYPOINT = `# HELP istio_requests_total Total requests handled by an Istio proxy
# TYPE istio_requests_total counter
istio_requests_total{reporter="waypoint",source_workload="productpage-v1",source_workload_namespace="demo",source_principal="spiffe://cluster.local/ns/demo/sa/bookinfo-productpage",destination_service="reviews.demo.svc.cluster.local",destination_workload="reviews-v2",destination_workload_namespace="demo",request_protocol="http",response_code="200",response_flags="-",connection_security_policy="mutual_tls"} 1027
istio_requests_total{reporter="waypoint",source_workload="productpage-v1",source_workload_namespace="demo",source_principal="spiffe://cluster.local/ns/demo/sa/bookinfo-productpage",destination_service="reviews.demo.svc.cluster.local",destination_workload="reviews-v2",destination_workload_namespace="demo",request_protocol="http",response_code="503",response_flags="UF",connection_security_policy="mutual_tls"} 3

# HELP istio_request_duration_milliseconds Request duration in milliseconds
# TYPE istio_request_duration_milliseconds histogram
istio_request_duration_milliseconds_bucket{reporter="waypoint",destination_workload="reviews-v2",le="0.5"} 0
istio_request_duration_milliseconds_bucket{reporter="waypoint",destination_workload="reviews-v2",le="1"} 12
istio_request_duration_milliseconds_bucket{reporter="waypoint",destination_workload="reviews-v2",le="5"} 830
istio_request_duration_milliseconds_bucket{reporter="waypoint",destination_workload="reviews-v2",le="10"} 1010
istio_request_duration_milliseconds_bucket{reporter="waypoint",destination_workload="reviews-v2",le="+Inf"} 1030
istio_request_duration_milliseconds_sum{reporter="waypoint",destination_workload="reviews-v2"} 4480.25
istio_request_duration_milliseconds_count{reporter="waypoint",destination_workload="reviews-v2"} 1030
`;

describe('parseExposition', () => {
  it('reads an Istio-style exposition: counters, a histogram, HELP and TYPE', () => {
    const { samples, families } = parseExposition(WAYPOINT);
    expect(samples).toHaveLength(9);
    expect(families.get('istio_requests_total')).toEqual({
      name: 'istio_requests_total',
      help: 'Total requests handled by an Istio proxy',
      type: 'counter',
    });
    expect(families.get('istio_request_duration_milliseconds')?.type).toBe('histogram');
    const failed = samples[1];
    expect(failed?.name).toBe('istio_requests_total');
    expect(failed?.value).toBe(3);
    expect({ ...failed?.labels }).toMatchObject({ response_code: '503', response_flags: 'UF', destination_workload: 'reviews-v2' });
    const buckets = samples.filter((s) => s.name === 'istio_request_duration_milliseconds_bucket');
    expect(buckets.map((b) => [b.labels.le, b.value])).toEqual([
      ['0.5', 0],
      ['1', 12],
      ['5', 830],
      ['10', 1010],
      ['+Inf', 1030],
    ]);
    expect(samples.find((s) => s.name.endsWith('_sum'))?.value).toBe(4480.25);
  });

  it('keeps the series text as written, for cheap identity between scrapes', () => {
    const { samples } = parseExposition('up{a="1", b="2",} 1\n');
    expect(samples[0]?.series).toBe('up{a="1", b="2",}');
    expect({ ...samples[0]?.labels }).toEqual({ a: '1', b: '2' });
  });

  it('unescapes label values and HELP text', () => {
    const text = [
      '# HELP weird A help line with a \\\\ backslash\\nand a newline',
      'weird{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",brace="}{,=",other="\\t"} 1',
    ].join('\n');
    const { samples, families } = parseExposition(text);
    expect(families.get('weird')?.help).toBe('A help line with a \\ backslash\nand a newline');
    expect({ ...samples[0]?.labels }).toEqual({ path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb', brace: '}{,=', other: '\\t' });
  });

  it('reads NaN, ±Inf, exponents, timestamps, CRLF, blank lines and plain comments', () => {
    const text = '# just a comment\r\n\r\na NaN\r\nb +Inf 1700000000000\r\nc -Inf\nd 1.5e3 -12\ne .5\nf{} 7\n  g 1\n# EOF\n';
    const { samples } = parseExposition(text);
    expect(samples.map((s) => [s.name, s.value, s.timestampMs])).toEqual([
      ['a', Number.NaN, undefined],
      ['b', Number.POSITIVE_INFINITY, 1700000000000],
      ['c', Number.NEGATIVE_INFINITY, undefined],
      ['d', 1500, -12],
      ['e', 0.5, undefined],
      ['f', 7, undefined],
      ['g', 1, undefined],
    ]);
  });

  it('treats any label name, even __proto__, as data', () => {
    const { samples } = parseExposition('m{__proto__="x",constructor="y"} 1');
    const labels = samples[0]?.labels ?? {};
    expect(Object.keys(labels)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('x');
  });

  it.each([
    ['m{a="1" 2', 1, 'expected "," or "}"'],
    ['ok 1\nm{a=1} 2', 2, 'expected a quoted value for label a'],
    ['m{a="1",a="2"} 3', 1, 'label a appears twice'],
    ['m{a="unterminated} 1', 1, 'unterminated label value'],
    ['m one', 1, '"one" is not a number'],
    ['m 1 2 3', 1, 'unexpected text after the timestamp'],
    ['m 1 1.5', 1, 'not a timestamp'],
    ['m', 1, 'expected a value after m'],
    ['9m 1', 1, 'expected a metric name'],
    ['# TYPE m gauge-ish', 1, 'unknown metric type'],
    ['m{1a="x"} 1', 1, 'expected a label name'],
  ])('refuses %j, naming line %i', (text, line, message) => {
    try {
      parseExposition(text);
      expect.unreachable();
    } catch (error) {
      expect(isAmbitError(error) && error.code).toBe('InvalidDocument');
      expect((error as Error).message).toContain(`line ${line}`);
      expect((error as Error).message).toContain(message);
    }
  });

  it('parses a large exposition quickly', () => {
    const lines: string[] = ['# TYPE istio_tcp_sent_bytes_total counter'];
    for (let i = 0; i < 20_000; i++) {
      lines.push(
        `istio_tcp_sent_bytes_total{reporter="source",source_workload="w${i % 100}",source_workload_namespace="ns${i % 7}",destination_workload="d${i}",connection_security_policy="mutual_tls"} ${i * 17}`,
      );
    }
    const text = lines.join('\n');
    const started = performance.now();
    const { samples } = parseExposition(text);
    const ms = performance.now() - started;
    console.log(`parsed 20,000 samples (${(text.length / 1e6).toFixed(1)} MB) in ${ms.toFixed(1)} ms`);
    expect(samples).toHaveLength(20_000);
    expect(samples[19_999]?.value).toBe(19_999 * 17);
  });
});

describe('parseGoFloat', () => {
  it('accepts what Go ParseFloat accepts for metric values, and nothing else', () => {
    expect(parseGoFloat('Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseGoFloat('-infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseGoFloat('nan')).toBeNaN();
    expect(parseGoFloat('1.')).toBe(1);
    expect(parseGoFloat('-0.25E-2')).toBe(-0.0025);
    for (const bad of ['', '0x10', '1_000', 'one', '1e', '--1', ' 1']) expect(parseGoFloat(bad)).toBeUndefined();
  });
});
