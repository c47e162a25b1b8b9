import { describe, expect, it } from 'vitest';
import { compileAuthorizationPolicy } from '../authz/compile';
import { evaluateAuthorization } from '../authz/evaluate';
import { type CompiledPolicyWithTarget, policyTargetOf, selectTargetedPolicies } from '../authz/select';
import type { AuthorizationPolicy } from '../resources/security';
import { workloadApiSchemas } from './schemas';
import { pushOrder, shortTypeName, TypeUrl } from './type-urls';
import { decodeWaypointPolicy, encodeWaypointPolicy, packWaypointPolicy, waypointPolicyResourceName } from './waypoint-policy';

function compiled(policy: AuthorizationPolicy): CompiledPolicyWithTarget {
  const result = compileAuthorizationPolicy(policy, { enforcement: 'waypoint', rootNamespace: 'istio-system' });
  if (!result.compiled) throw new Error(JSON.stringify(result.notes));
  return { policy: result.compiled, target: policyTargetOf(policy) };
}

const getOnly = compiled({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'get-only', namespace: 'demo' },
  spec: {
    targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }],
    action: 'ALLOW',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/demo/sa/productpage'] } }],
        to: [{ operation: { methods: ['GET'], paths: ['/reviews/*'] } }],
        when: [{ key: 'request.headers[x-tenant]', values: ['a', 'b'] }],
      },
    ],
  },
});

const request = (method: string, path: string, tenant = 'a') => ({
  source: { principal: 'cluster.local/ns/demo/sa/productpage', namespace: 'demo', ip: '127.11.1.1' },
  destination: { ip: '127.11.128.1', port: 9080 },
  http: { method, path, host: 'reviews', headers: { 'x-tenant': tenant } },
});

describe('Ambit WaypointPolicy resource codec', () => {
  it('carries a compiled L7 policy unchanged, so the waypoint judges requests as the control plane compiled them', () => {
    const packed = packWaypointPolicy(getOnly);
    expect(packed.typeUrl).toBe('type.googleapis.com/ambit.mesh.v1.WaypointPolicy');
    const decoded = decodeWaypointPolicy(packed.value);
    expect(decoded).toEqual(getOnly);
    expect(waypointPolicyResourceName(decoded)).toBe('demo/get-only');
    for (const probe of [request('GET', '/reviews/0'), request('POST', '/reviews/0'), request('GET', '/reviews/0', 'c')]) {
      expect(evaluateAuthorization([decoded.policy], probe)).toEqual(evaluateAuthorization([getOnly.policy], probe));
    }
    expect(evaluateAuthorization([decoded.policy], request('POST', '/reviews/0')).allowed).toBe(false);
  });

  it('keeps an explicit empty group apart from an absent one, which selection reads differently', () => {
    const toGateway = compiled({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-all', namespace: 'demo' },
      spec: { targetRefs: [{ kind: 'Gateway', name: 'waypoint' }], action: 'DENY', rules: [{}] },
    });
    const decoded = decodeWaypointPolicy(encodeWaypointPolicy(toGateway));
    expect(decoded.target.targetRefs).toEqual([{ kind: 'Gateway', name: 'waypoint' }]);
    expect(decodeWaypointPolicy(encodeWaypointPolicy(getOnly)).target.targetRefs).toEqual([
      { kind: 'Service', group: '', name: 'reviews' },
    ]);
    const gateway = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'demo', name: 'waypoint' }];
    expect(selectTargetedPolicies([decoded], gateway, { rootNamespace: 'istio-system' })).toHaveLength(1);
    expect(decoded.policy.rules).toEqual([{ clauses: [], specRule: 0 }]);
  });

  it('rejects a policy the evaluator could not read', () => {
    const type = workloadApiSchemas().lookupType('ambit.mesh.v1.WaypointPolicy');
    const broken = (policy: Record<string, unknown>) =>
      type
        .encode(
          type.fromObject({
            name: 'p',
            namespace: 'demo',
            targetRefs: [{ kind: 'Service', name: 'reviews' }],
            policy: { fields: Object.fromEntries(Object.entries(policy).map(([k, v]) => [k, { stringValue: v }])) },
          }),
        )
        .finish();
    expect(() => decodeWaypointPolicy(broken({ name: 'p', namespace: 'demo', action: 'PERMIT', scope: 'GLOBAL' }))).toThrow(
      /policy.action PERMIT is not an action/,
    );
    expect(() => decodeWaypointPolicy(broken({ name: 'p', namespace: 'demo', action: 'ALLOW', scope: 'GLOBAL', rules: 'all' }))).toThrow(
      /policy.rules must be a list/,
    );
  });

  it('is reported as wpds and pushed after the routes it guards', () => {
    expect(shortTypeName(TypeUrl.waypointPolicy)).toBe('wpds');
    expect(pushOrder(TypeUrl.waypointPolicy)).toBeGreaterThan(pushOrder(TypeUrl.routeConfiguration));
  });
});
