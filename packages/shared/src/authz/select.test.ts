import { describe, expect, it } from 'vitest';
import { type AuthorizationPolicy, type AuthorizationPolicySpec, authorizationPolicySchema } from '../resources/security';
import { compileAuthorizationPolicy } from './compile';
import { type CompiledPolicyWithTarget, policyTargetOf, selectPolicies, selectTargetedPolicies } from './select';
import type { CompiledPolicy } from './types';

const ROOT = 'istio-system';

function ap(name: string, namespace: string, spec: AuthorizationPolicySpec): AuthorizationPolicy {
  return authorizationPolicySchema.parse({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace },
    spec,
  });
}

function withTargets(...policies: AuthorizationPolicy[]): CompiledPolicyWithTarget[] {
  return policies.map((p) => ({
    policy: compileAuthorizationPolicy(p, { enforcement: 'waypoint', rootNamespace: ROOT }).compiled as CompiledPolicy,
    target: policyTargetOf(p),
  }));
}

const names = (policies: CompiledPolicy[]) => policies.map((p) => `${p.namespace}/${p.name}`);

const all = withTargets(
  ap('mesh', ROOT, {}),
  ap('mesh-v1', ROOT, { selector: { matchLabels: { version: 'v1' } } }),
  ap('foo-all', 'foo', {}),
  ap('foo-httpbin', 'foo', { selector: { matchLabels: { app: 'httpbin' } } }),
  ap('foo-reviews', 'foo', { selector: { matchLabels: { app: 'reviews' } } }),
  ap('bar-all', 'bar', {}),
  ap('foo-waypoint', 'foo', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }),
  ap('foo-svc', 'foo', { targetRefs: [{ kind: 'Service', group: '', name: 'httpbin' }] }),
  ap('mesh-class', ROOT, { targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }] }),
  ap('foo-class', 'foo', { targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }] }),
);

describe('selectPolicies (ztunnel)', () => {
  it('root namespace mesh-wide, own namespace, and matching selectors; never targetRefs', () => {
    expect(names(selectPolicies(all, { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' } }, { rootNamespace: ROOT }))).toEqual([
      'istio-system/mesh',
      'istio-system/mesh-v1',
      'foo/foo-all',
      'foo/foo-httpbin',
    ]);
  });

  it('a workload in another namespace gets the mesh policies and its own', () => {
    expect(names(selectPolicies(all, { namespace: 'bar', labels: { app: 'httpbin', version: 'v2' } }, { rootNamespace: ROOT }))).toEqual([
      'istio-system/mesh',
      'bar/bar-all',
    ]);
  });

  it('an empty matchLabels selects every workload in scope', () => {
    const policies = withTargets(ap('empty-selector', 'foo', { selector: { matchLabels: {} } }));
    expect(selectPolicies(policies, { namespace: 'foo', labels: {} }, { rootNamespace: ROOT })).toHaveLength(1);
  });
});

describe('selectTargetedPolicies (waypoint)', () => {
  it('finds the policies attached to a waypoint Gateway and its GatewayClass (root namespace only)', () => {
    const targets = [
      { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint', namespace: 'foo' },
      { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' },
    ];
    expect(names(selectTargetedPolicies(all, targets, { rootNamespace: ROOT }))).toEqual(['foo/foo-waypoint', 'istio-system/mesh-class']);
  });

  it('finds the policies attached to a Service, in its namespace only', () => {
    expect(names(selectTargetedPolicies(all, [{ kind: 'Service', name: 'httpbin', namespace: 'foo' }], { rootNamespace: ROOT }))).toEqual([
      'foo/foo-svc',
    ]);
    expect(selectTargetedPolicies(all, [{ kind: 'Service', name: 'httpbin', namespace: 'bar' }], { rootNamespace: ROOT })).toEqual([]);
  });
});
