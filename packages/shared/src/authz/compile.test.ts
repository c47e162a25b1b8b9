import { describe, expect, it } from 'vitest';
import { type AuthorizationPolicy, type AuthorizationPolicySpec, authorizationPolicySchema } from '../resources/security';
import { type CompileOptions, compileAuthorizationPolicy } from './compile';
import { evaluateAuthorization } from './evaluate';
import type { AuthzRequest, CompiledPolicy } from './types';

const ztunnel: CompileOptions = { enforcement: 'ztunnel', rootNamespace: 'istio-system' };
const waypoint: CompileOptions = { enforcement: 'waypoint', rootNamespace: 'istio-system' };

function ap(
  name: string,
  spec: AuthorizationPolicySpec,
  meta: { namespace?: string; annotations?: Record<string, string> } = {},
): AuthorizationPolicy {
  return authorizationPolicySchema.parse({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: meta.namespace ?? 'foo', ...(meta.annotations ? { annotations: meta.annotations } : {}) },
    spec,
  });
}

const plaintext: AuthzRequest = { source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2', port: 8080 } };

describe('compileAuthorizationPolicy: the workload API shape', () => {
  it('maps an L4 policy field for field onto Authorization / Rule / Clause / Match', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('l4', {
        action: 'DENY',
        rules: [
          {
            from: [
              { source: { principals: ['cluster.local/ns/default/sa/sleep'], notNamespaces: ['prod*'] } },
              { source: { ipBlocks: ['10.0.0.0/8', '2001:db8::1'], serviceAccounts: ['default/sleep', 'reader'] } },
            ],
            to: [{ operation: { ports: ['8080'], notPorts: ['9090'] } }],
            when: [{ key: 'destination.ip', values: ['10.9.0.0/16'] }],
          },
        ],
      }),
      ztunnel,
    );
    expect(notes).toEqual([]);
    expect(compiled).toEqual({
      name: 'l4',
      namespace: 'foo',
      scope: 'NAMESPACE',
      action: 'DENY',
      dryRun: false,
      rules: [
        {
          specRule: 0,
          clauses: [
            {
              matches: [
                { principals: [{ exact: 'cluster.local/ns/default/sa/sleep' }], notNamespaces: [{ prefix: 'prod' }] },
                {
                  sourceIps: [
                    { address: '10.0.0.0', length: 8 },
                    { address: '2001:db8::1', length: 128 },
                  ],
                  serviceAccounts: [
                    { namespace: 'default', serviceAccount: 'sleep' },
                    { namespace: 'foo', serviceAccount: 'reader' },
                  ],
                },
              ],
            },
            { matches: [{ destinationPorts: [8080], notDestinationPorts: [9090] }] },
            { matches: [{ destinationIps: [{ address: '10.9.0.0', length: 16 }] }] },
          ],
        },
      ],
    });
  });

  it('translates * to presence, *x to suffix, x* to prefix, anything else to exact', () => {
    const { compiled } = compileAuthorizationPolicy(
      ap('s', { rules: [{ from: [{ source: { namespaces: ['*', '*-prod', 'team-*', 'exact'] } }] }] }),
      ztunnel,
    );
    expect(compiled?.rules[0]?.clauses[0]?.matches[0]?.namespaces).toEqual([
      { presence: true },
      { suffix: '-prod' },
      { prefix: 'team-' },
      { exact: 'exact' },
    ]);
  });

  it('sets the scope from namespace and selector', () => {
    const scope = (p: AuthorizationPolicy) => compileAuthorizationPolicy(p, ztunnel).compiled?.scope;
    expect(scope(ap('a', {}, { namespace: 'istio-system' }))).toBe('GLOBAL');
    expect(scope(ap('a', {}))).toBe('NAMESPACE');
    expect(scope(ap('a', { selector: { matchLabels: { app: 'x' } } }))).toBe('WORKLOAD_SELECTOR');
    expect(scope(ap('a', { selector: { matchLabels: { app: 'x' } } }, { namespace: 'istio-system' }))).toBe('WORKLOAD_SELECTOR');
  });

  it('keeps spec: {} as a policy with no rules, and rules: [{}] as one rule with no clauses', () => {
    expect(compileAuthorizationPolicy(ap('nothing', {}), ztunnel).compiled?.rules).toEqual([]);
    expect(compileAuthorizationPolicy(ap('all', { rules: [{}] }), ztunnel).compiled?.rules).toEqual([{ clauses: [], specRule: 0 }]);
  });

  it('leaves out a clause that matches everything (an empty source or operation)', () => {
    const { compiled } = compileAuthorizationPolicy(
      ap('e', { rules: [{ from: [{ source: {} }], to: [{ operation: { ports: ['80'] } }] }] }),
      ztunnel,
    );
    expect(compiled?.rules[0]?.clauses).toEqual([{ matches: [{ destinationPorts: [80] }] }]);
  });

  it('reads the dry-run annotation as Istio does', () => {
    expect(compileAuthorizationPolicy(ap('d', {}, { annotations: { 'istio.io/dry-run': 'true' } }), ztunnel).compiled?.dryRun).toBe(true);
    expect(compileAuthorizationPolicy(ap('d', {}, { annotations: { 'istio.io/dry-run': 'False' } }), ztunnel).compiled?.dryRun).toBe(false);
    const bad = compileAuthorizationPolicy(ap('d', {}, { annotations: { 'istio.io/dry-run': 'yes' } }), ztunnel);
    expect(bad.compiled?.dryRun).toBe(false);
    expect(bad.notes).toMatchObject([{ code: 'InvalidDryRunAnnotation', path: 'metadata.annotations["istio.io/dry-run"]' }]);
  });

  it('rewrites cluster.local principals to the mesh trust domain', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('td', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }] }] }),
      {
        ...ztunnel,
        trustDomain: 'example.org',
      },
    );
    expect(compiled?.rules[0]?.clauses[0]?.matches[0]?.principals).toEqual([{ exact: 'example.org/ns/default/sa/sleep' }]);
    expect(notes).toMatchObject([{ code: 'TrustDomainRewritten', level: 'info', path: 'spec.rules[0].from[0].source.principals[0]' }]);
  });
});

describe('compileAuthorizationPolicy: fail safe at ztunnel', () => {
  it('drops an ALLOW rule with an HTTP attribute and says where', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('get', { rules: [{ from: [{ source: { namespaces: ['test'] } }], to: [{ operation: { methods: ['GET'] } }] }] }),
      ztunnel,
    );
    expect(compiled?.rules).toEqual([]);
    expect(notes.map((n) => [n.code, n.path])).toEqual([
      ['AllowRuleDropped', 'spec.rules[0].to[0].operation.methods'],
      ['AllowPolicyMatchesNothing', 'spec.rules'],
    ]);
    expect(
      evaluateAuthorization([compiled as CompiledPolicy], {
        ...plaintext,
        source: { ip: '10.0.0.1', principal: 'cluster.local/ns/test/sa/a' },
      }).allowed,
    ).toBe(false);
  });

  it('keeps the other rules of an ALLOW policy and their indexes', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('mixed', { rules: [{ to: [{ operation: { paths: ['/x'] } }] }, { from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] }),
      ztunnel,
    );
    expect(compiled?.rules).toEqual([{ specRule: 1, clauses: [{ matches: [{ sourceIps: [{ address: '10.0.0.0', length: 8 }] }] }] }]);
    expect(notes.map((n) => n.code)).toEqual(['AllowRuleDropped']);
  });

  it('widens a DENY rule by removing its HTTP parts and says where', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('deny', {
        action: 'DENY',
        rules: [
          {
            from: [{ source: { namespaces: ['dev'], requestPrincipals: ['*'] } }],
            to: [{ operation: { methods: ['POST'], ports: ['8080'] } }],
            when: [{ key: 'request.headers[x-debug]', values: ['1'] }],
          },
        ],
      }),
      ztunnel,
    );
    expect(compiled?.rules).toEqual([
      {
        specRule: 0,
        clauses: [{ matches: [{ namespaces: [{ exact: 'dev' }] }] }, { matches: [{ destinationPorts: [8080] }] }],
      },
    ]);
    expect(notes.map((n) => [n.code, n.path])).toEqual([
      ['DenyRuleWidened', 'spec.rules[0].from[0].source.requestPrincipals'],
      ['DenyRuleWidened', 'spec.rules[0].to[0].operation.methods'],
      ['DenyRuleWidened', 'spec.rules[0].when[0].key'],
    ]);
    expect(notes[1]?.message).toMatch(/matches more than written/);
  });

  it('does not send AUDIT to ztunnel', () => {
    const { compiled, notes } = compileAuthorizationPolicy(ap('audit', { action: 'AUDIT', rules: [{}] }), ztunnel);
    expect(compiled).toBeUndefined();
    expect(notes).toMatchObject([{ code: 'ActionNotSupported', path: 'spec.action' }]);
  });

  it('turns CUSTOM into a deny-everything DENY for ztunnel (the workload API has no CUSTOM)', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('ext', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] }),
      ztunnel,
    );
    expect(compiled).toMatchObject({ action: 'DENY', rules: [{ clauses: [] }], provider: 'opa' });
    expect(notes).toMatchObject([{ code: 'CustomProviderUnavailable', path: 'spec.provider.name' }]);
  });

  it('leaves policies with targetRefs to the waypoint', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('wp', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }),
      ztunnel,
    );
    expect(compiled).toBeUndefined();
    expect(notes).toMatchObject([{ code: 'EnforcedAtWaypoint', path: 'spec.targetRefs' }]);
    expect(
      compileAuthorizationPolicy(ap('wp', { targetRefs: [{ kind: 'Service', group: '', name: 'httpbin' }] }), waypoint).compiled?.rules,
    ).toEqual([]);
  });

  it('reports unknown condition keys: ALLOW rule dropped, DENY condition ignored', () => {
    const when = [{ key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['[update]'] }];
    const allow = compileAuthorizationPolicy(ap('a', { rules: [{ when }] }), waypoint);
    expect(allow.compiled?.rules).toEqual([]);
    expect(allow.notes[0]).toMatchObject({ code: 'UnsupportedConditionKey', path: 'spec.rules[0].when[0].key' });
    const deny = compileAuthorizationPolicy(ap('d', { action: 'DENY', rules: [{ when }] }), waypoint);
    expect(deny.compiled?.rules).toEqual([{ specRule: 0, clauses: [] }]);
    expect(deny.notes[0]?.message).toMatch(/the condition is ignored, so this DENY rule matches more/);
  });
});

describe('compileAuthorizationPolicy: values Istio would reject', () => {
  it('drops an ALLOW rule with an unparsable CIDR', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('a', { rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] }),
      ztunnel,
    );
    expect(compiled?.rules).toEqual([]);
    expect(notes[0]).toMatchObject({ code: 'InvalidValue', level: 'error', path: 'spec.rules[0].from[0].source.ipBlocks[0]' });
  });

  it('treats a DENY field with an unparsable value as unconstrained (matches more)', () => {
    const { compiled } = compileAuthorizationPolicy(
      ap('d', { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['not-an-ip', '10.0.0.0/8'], namespaces: ['dev'] } }] }] }),
      ztunnel,
    );
    expect(compiled?.rules[0]?.clauses).toEqual([{ matches: [{ namespaces: [{ exact: 'dev' }] }] }]);
  });

  it('rejects ports outside 0-65535 and non-numeric ports', () => {
    const { notes } = compileAuthorizationPolicy(ap('p', { rules: [{ to: [{ operation: { ports: ['http', '70000'] } }] }] }), ztunnel);
    expect(notes.map((n) => n.path)).toEqual([
      'spec.rules[0].to[0].operation.ports[0]',
      'spec.rules[0].to[0].operation.ports[1]',
      'spec.rules',
    ]);
  });

  it('rejects wildcards in serviceAccounts and flags them next to principals', () => {
    const wildcard = compileAuthorizationPolicy(ap('s', { rules: [{ from: [{ source: { serviceAccounts: ['default/*'] } }] }] }), ztunnel);
    expect(wildcard.notes[0]).toMatchObject({ code: 'InvalidValue', path: 'spec.rules[0].from[0].source.serviceAccounts[0]' });
    const both = compileAuthorizationPolicy(
      ap('s', { rules: [{ from: [{ source: { serviceAccounts: ['sleep'], principals: ['*'] } }] }] }),
      ztunnel,
    );
    expect(both.notes).toMatchObject([{ code: 'ConflictingFields', path: 'spec.rules[0].from[0].source.serviceAccounts' }]);
  });

  it('rejects a principal written with spiffe://', () => {
    const { notes } = compileAuthorizationPolicy(
      ap('p', { rules: [{ from: [{ source: { principals: ['spiffe://cluster.local/ns/a/sa/b'] } }] }] }),
      ztunnel,
    );
    expect(notes[0]?.message).toMatch(/without the spiffe:\/\/ prefix/);
  });

  it('rejects invalid path templates at a waypoint', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('t', { rules: [{ to: [{ operation: { paths: ['/{**}/foo/{*}'] } }] }] }),
      waypoint,
    );
    expect(compiled?.rules).toEqual([]);
    expect(notes[0]).toMatchObject({ code: 'InvalidValue', path: 'spec.rules[0].to[0].operation.paths[0]' });
  });

  it('rejects a condition without values and a malformed header key', () => {
    const { notes } = compileAuthorizationPolicy(
      ap('w', {
        action: 'DENY',
        rules: [{ when: [{ key: 'source.ip' }, { key: 'request.headers', values: ['x'] }] }],
      }),
      waypoint,
    );
    expect(notes.map((n) => [n.code, n.path])).toEqual([
      ['InvalidValue', 'spec.rules[0].when[0]'],
      ['InvalidValue', 'spec.rules[0].when[1].key'],
    ]);
  });

  it('flags provider on a non-CUSTOM policy and selector with targetRefs', () => {
    const { notes } = compileAuthorizationPolicy(
      ap('x', { selector: { matchLabels: { a: 'b' } }, targetRefs: [{ kind: 'Gateway', name: 'w' }], provider: { name: 'p' } }),
      waypoint,
    );
    expect(notes.map((n) => n.code)).toEqual(['ConflictingFields', 'ProviderIgnored']);
  });
});

describe('compileAuthorizationPolicy: L7 fields for a waypoint', () => {
  it('compiles hosts (lower case), methods, paths, headers and claims', () => {
    const { compiled, notes } = compileAuthorizationPolicy(
      ap('l7', {
        rules: [
          {
            from: [{ source: { requestPrincipals: ['issuer.example.com/*'] } }],
            to: [{ operation: { hosts: ['*.Example.com'], methods: ['GET'], paths: ['/api/{*}/items', '/static*'] } }],
            when: [
              { key: 'request.headers[X-Env]', values: ['prod'] },
              { key: 'request.auth.claims[groups]', values: ['admins'] },
              { key: 'request.auth.audiences', notValues: ['internal'] },
            ],
          },
        ],
      }),
      waypoint,
    );
    expect(notes).toEqual([]);
    expect(compiled?.rules[0]?.clauses).toEqual([
      { matches: [{ requestPrincipals: [{ prefix: 'issuer.example.com/' }] }] },
      {
        matches: [
          {
            hosts: [{ suffix: '.example.com' }],
            methods: [{ exact: 'GET' }],
            paths: [{ template: '/api/{*}/items' }, { prefix: '/static' }],
          },
        ],
      },
      { matches: [{ headers: [{ name: 'x-env', values: [{ exact: 'prod' }] }] }] },
      { matches: [{ claims: [{ claim: ['groups'], values: [{ exact: 'admins' }] }] }] },
      { matches: [{ claims: [{ claim: ['aud'], notValues: [{ exact: 'internal' }] }] }] },
    ]);
  });
});
