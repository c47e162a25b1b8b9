import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CODES, analysisReport, exitCodeFor, formatMessages } from '../src/analysis';
import { ambientMesh, authorizationPolicy, httpRoute, namespace, only, pod, run, service, summary, toService } from './analysis-fixtures';

describe('analysis: schema validation (IST0106)', () => {
  it('reports each field the schema rejects, and analyses the rest', () => {
    const typo = { ...authorizationPolicy('typo', {}), spec: { rule: [{}] } };
    const badPort = { ...service('reviews', { app: 'reviews' }), spec: { ports: [{ port: 0 }] } };
    const messages = run([...ambientMesh(), typo, badPort, authorizationPolicy('ok', { selector: { matchLabels: { app: 'none' } } })]);
    expect(summary(messages)).toEqual([
      'IST0106 AuthorizationPolicy demo/typo spec.rule',
      'IST0106 Service demo/reviews spec.ports[0].port',
      'IST0127 AuthorizationPolicy demo/ok spec.selector',
    ]);
    expect(messages[0]?.message).toBe('Schema validation error: unknown field');
  });

  it('still counts an invalid object as existing for references to it', () => {
    const badPort = { ...service('reviews', { app: 'reviews' }), spec: { ports: [{ port: 0 }] } };
    const messages = run([...ambientMesh(), badPort, httpRoute('r', { parentRefs: [toService('reviews')], rules: [] })]);
    expect(only(messages, 'IST0101')).toEqual([]);
  });

  it('is quiet for valid objects', () => {
    expect(run([...ambientMesh(), service('reviews', { app: 'reviews' }), pod('reviews-1', { app: 'reviews' })])).toEqual([]);
  });
});

describe('analysis: negative status conditions (IST0171)', () => {
  it('reports a condition with a negative status, with its reason and message', () => {
    const route = {
      ...httpRoute('r', { parentRefs: [toService('reviews')], rules: [{ backendRefs: [{ name: 'reviews', port: 9080 }] }] }),
      status: {
        parents: [
          {
            parentRef: toService('reviews'),
            conditions: [
              { type: 'Accepted', status: 'True' },
              { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: 'backend(reviews) not found' },
            ],
          },
        ],
      },
    };
    const messages = run([...ambientMesh(), service('reviews', { app: 'reviews' }), route]);
    expect(only(messages, 'IST0171')).toEqual([
      expect.objectContaining({
        path: 'status.parents[0].conditions[1]',
        message:
          'A condition with a negative status is present: type=ResolvedRefs, reason=BackendNotFound, message=backend(reviews) not found',
      }),
    ]);
  });

  it('ignores positive conditions and condition types Istio does not examine', () => {
    const svc = {
      ...service('reviews', { app: 'reviews' }),
      status: {
        conditions: [
          { type: 'istio.io/WaypointBound', status: 'True' },
          { type: 'Other', status: 'False' },
        ],
      },
    };
    expect(run([...ambientMesh(), svc])).toEqual([]);
  });
});

describe('analysis: output', () => {
  const findings = () =>
    run([
      ...ambientMesh(),
      namespace('team'),
      service('reviews', { app: 'reviews' }),
      authorizationPolicy('nobody', { selector: { matchLabels: { app: 'nobody' } } }),
      authorizationPolicy('nobody', { selector: { matchLabels: { app: 'nobody' } } }, 'team'),
      httpRoute('r', { parentRefs: [toService('reviews')], rules: [{ backendRefs: [{ name: 'gone', port: 9080 }] }] }),
    ]);

  it('sorts by level, code, resource and path, and prints istioctl lines', () => {
    expect(formatMessages(findings())).toBe(
      [
        'Error [IST0101] (HTTPRoute demo/r) spec.rules[0].backendRefs[0]: Referenced Service demo/gone not found; its share of requests gets 500',
        'Warning [IST0127] (AuthorizationPolicy demo/nobody) spec.selector: No matching workloads for this resource with the following labels: app=nobody',
        'Warning [IST0127] (AuthorizationPolicy team/nobody) spec.selector: No matching workloads for this resource with the following labels: app=nobody',
      ].join('\n'),
    );
  });

  it('limits output to the namespaces asked for', () => {
    const messages = run(
      [
        ...ambientMesh(),
        namespace('team'),
        authorizationPolicy('nobody', { selector: { matchLabels: { app: 'x' } } }, 'team'),
        authorizationPolicy('nobody', { selector: { matchLabels: { app: 'x' } } }),
      ],
      ['team'],
    );
    expect(summary(messages)).toEqual(['IST0127 AuthorizationPolicy team/nobody spec.selector']);
  });

  it('lets a file being applied replace the stored object of the same identity', () => {
    const stored = authorizationPolicy('p', { selector: { matchLabels: { app: 'gone' } } });
    const applied = authorizationPolicy('p', { selector: { matchLabels: { app: 'reviews' } } });
    expect(run([...ambientMesh(), pod('reviews-1', { app: 'reviews' }), stored, applied])).toEqual([]);
  });

  it('gives a JSON report with counts, documentation links and exit code 1 only when there is an Error', () => {
    const messages = findings();
    const report = JSON.parse(JSON.stringify(analysisReport(messages)));
    expect(report).toMatchObject({ schemaVersion: 1, summary: { errors: 1, warnings: 2, info: 0 }, exitCode: 1 });
    expect(report.messages[0]).toEqual({
      code: 'IST0101',
      level: 'Error',
      resource: { kind: 'HTTPRoute', namespace: 'demo', name: 'r' },
      path: 'spec.rules[0].backendRefs[0]',
      message: 'Referenced Service demo/gone not found; its share of requests gets 500',
      documentation: 'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
    });
    expect(exitCodeFor(messages.filter((m) => m.level !== 'Error'))).toBe(0);
    expect(analysisReport([])).toEqual({ schemaVersion: 1, messages: [], summary: { errors: 0, warnings: 0, info: 0 }, exitCode: 0 });
  });
});

describe('analysis: documentation of codes', () => {
  const documented = (file: string) => {
    const text = readFileSync(new URL(file, import.meta.url), 'utf8');
    return [...text.matchAll(/^\W*\| \[?((?:IST|AMB)\d{4})\]?(?:\([^)]*\))? +\| (Error|Warning|Info) +\|/gm)].map((m) => `${m[1]} ${m[2]}`);
  };
  const codes = ALL_CODES.map((c) => `${c.code} ${c.level}`);

  it('lists every code with its level in docs/analysis.md and in the analysis index, and explains each one', () => {
    expect(documented('../../../docs/analysis.md')).toEqual(codes);
    expect(documented('../src/analysis/index.ts')).toEqual(codes);
    const docs = readFileSync(new URL('../../../docs/analysis.md', import.meta.url), 'utf8');
    for (const { code } of ALL_CODES) expect(docs).toContain(`#### ${code}\n`);
  });
});
