// L7 AuthorizationPolicy at a running waypoint: what real requests get must be what the shared
// evaluator decides for the same request, for ALLOW, DENY and allow-nothing policies.

import { type CompiledPolicyWithTarget, evaluateAuthorization } from '@ambit/shared/authz';
import type { AuthorizationPolicy } from '@ambit/shared/resources/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumOf } from './fixtures/net';
import { waitFor } from './fixtures/wait';
import {
  CLIENT_PRINCIPAL,
  INTRUDER_PRINCIPAL,
  REVIEWS_PORT,
  type RequestOptions,
  startWaypointMesh,
  type WaypointMesh,
} from './fixtures/waypoint-mesh';

let mesh: WaypointMesh;
beforeAll(async () => {
  mesh = await startWaypointMesh({ net: 43 });
});
afterAll(() => mesh?.stop());

function policy(name: string, spec: AuthorizationPolicy['spec'], target: 'Service' | 'Gateway' = 'Service'): AuthorizationPolicy {
  const targetRef =
    target === 'Service'
      ? { group: '', kind: 'Service', name: 'reviews' }
      : { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' };
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { targetRefs: [targetRef], ...spec },
  };
}

interface Probe extends RequestOptions {
  path: string;
}

/** What the shared evaluator decides for a probe, as the waypoint would see it. */
function evaluatorAllows(policies: readonly CompiledPolicyWithTarget[], probe: Probe): boolean {
  const principal = probe.asIntruder ? INTRUDER_PRINCIPAL : CLIENT_PRINCIPAL;
  const headers: Record<string, string | string[]> = { host: `${mesh.reviewsVip}:${REVIEWS_PORT}`, ...probe.headers };
  return evaluateAuthorization(
    policies.map((p) => p.policy),
    {
      source: { principal, ip: probe.asIntruder ? 'unused' : 'unused' },
      destination: { ip: mesh.reviewsVip, port: REVIEWS_PORT },
      http: { method: probe.method ?? 'GET', path: probe.path, host: headers.host as string, headers },
    },
  ).allowed;
}

/** Sends every probe; checks the waypoint and the evaluator agree; returns the statuses. */
async function probe(policies: readonly CompiledPolicyWithTarget[], probes: readonly Probe[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const p of probes) {
    const reply = await mesh.request(p.path, p);
    statuses.push(reply.status);
    const allowed = evaluatorAllows(policies, p);
    expect(
      reply.status === 200,
      `${p.method ?? 'GET'} ${p.path} ${JSON.stringify(p.headers ?? {})}${p.asIntruder ? ' (intruder)' : ''}`,
    ).toBe(allowed);
    if (!allowed) expect([reply.status, reply.body]).toEqual([403, 'RBAC: access denied']);
  }
  return statuses;
}

describe('L7 authorization', () => {
  it('ALLOW by method and path prefix, from the client identity its ztunnel presented', async () => {
    const policies = mesh.setPolicies([
      policy('allow-api-reads', {
        action: 'ALLOW',
        rules: [
          { from: [{ source: { principals: [CLIENT_PRINCIPAL] } }], to: [{ operation: { methods: ['GET', 'HEAD'], paths: ['/api/*'] } }] },
        ],
      }),
    ]);
    const statuses = await probe(policies, [
      { path: '/api/books' },
      { path: '/api/books/7?page=2' },
      { path: '/api' },
      { path: '/api/books', method: 'POST', body: 'x' },
      { path: '/other' },
      { path: '/api/books', asIntruder: true },
    ]);
    expect(statuses).toEqual([200, 200, 403, 403, 403, 403]);
  });

  it('DENY by header, with the denying policy in the access log and DENY in the metrics', async () => {
    const before = await mesh.metrics();
    const policies = mesh.setPolicies([
      policy('deny-blocked', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-block]', values: ['yes'] }] }] }, 'Gateway'),
    ]);
    const statuses = await probe(policies, [
      { path: '/a' },
      { path: '/a', headers: { 'x-block': 'yes' } },
      { path: '/a', headers: { 'x-block': 'no' } },
      { path: '/a', headers: { 'x-block': 'yes' }, asIntruder: true },
    ]);
    expect(statuses).toEqual([200, 403, 200, 403]);
    const denied = mesh.waypointLog.lines.filter((l) => l.scope === 'access' && l.status === 403 && l.policy === 'shop/deny-blocked');
    expect(denied).toHaveLength(2);
    expect(denied[0]).toMatchObject({ response_flags: 'DENY', 'src.identity': `spiffe://${CLIENT_PRINCIPAL}`, path: '/a' });
    const after = await waitFor(async () => {
      const s = await mesh.metrics();
      return sumOf(s, 'istio_requests_total') - sumOf(before, 'istio_requests_total') >= 4 ? s : undefined;
    }, 'four more requests in the metrics');
    const denials = (s: typeof before) => sumOf(s, 'istio_requests_total', { response_code: '403', response_flags: 'DENY' });
    expect(denials(after) - denials(before)).toBe(2);
  });

  it('allow-nothing (ALLOW with an empty spec) denies every request', async () => {
    const policies = mesh.setPolicies([policy('allow-nothing', { action: 'ALLOW' })]);
    const statuses = await probe(policies, [
      { path: '/' },
      { path: '/api/books' },
      { path: '/x', method: 'DELETE' },
      { path: '/', asIntruder: true },
    ]);
    expect(statuses).toEqual([403, 403, 403, 403]);
  });

  it('ignores policies that target another service, and allows everything once policies are gone', async () => {
    mesh.setPolicies([
      { ...policy('greeter-only', { action: 'ALLOW' }), spec: { targetRefs: [{ group: '', kind: 'Service', name: 'greeter' }] } },
    ]);
    expect((await mesh.request('/free')).status).toBe(200);
    mesh.setPolicies([]);
    expect((await mesh.request('/free', { asIntruder: true })).status).toBe(200);
  });
});
