import { describe, expect, it } from 'vitest';
import { ambientMesh, authorizationPolicy, namespace, only, pod, run, service, summary, waypoint } from './analysis-fixtures';

const reviews = [pod('reviews-1', { app: 'reviews' }), service('reviews', { app: 'reviews' })];

/** A mesh whose `demo` namespace has no waypoint: ztunnel enforces everything. */
function meshWithoutWaypoint() {
  return [namespace('default'), namespace('istio-system'), namespace('demo', { 'istio.io/dataplane-mode': 'ambient' }), ...reviews];
}

describe('analysis: HTTP attributes in policies ztunnel enforces', () => {
  it('says an ALLOW rule with methods is dropped at ztunnel, so the policy allows nothing, quoting the shared compiler', () => {
    const messages = run([
      ...meshWithoutWaypoint(),
      authorizationPolicy('get-only', {
        selector: { matchLabels: { app: 'reviews' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ]);
    expect(summary(only(messages, 'AMB0001', 'AMB0002', 'AMB0003'))).toEqual([
      'AMB0001 AuthorizationPolicy demo/get-only spec.rules[0].to[0].operation.methods',
      'AMB0002 AuthorizationPolicy demo/get-only spec.rules',
    ]);
    const [dropped, nothing] = only(messages, 'AMB0001', 'AMB0002');
    expect(dropped?.message).toContain('ALLOW rule is dropped at ztunnel and never matches');
    expect(nothing?.message).toContain('so it allows nothing');
  });

  it('says a DENY rule with paths is enforced without them, matching more', () => {
    const messages = run([
      ...meshWithoutWaypoint(),
      authorizationPolicy('no-admin', {
        action: 'DENY',
        rules: [{ from: [{ source: { namespaces: ['other'] } }], to: [{ operation: { paths: ['/admin'] } }] }],
      }),
    ]);
    expect(only(messages, 'AMB0003')).toEqual([
      expect.objectContaining({
        level: 'Warning',
        path: 'spec.rules[0].to[0].operation.paths',
        message: expect.stringContaining('This DENY rule is enforced without it and matches more than written'),
      }),
    ]);
  });

  it('is quiet for L4-only policies, and for HTTP attributes in a policy a waypoint enforces (targetRefs)', () => {
    const messages = run([
      ...ambientMesh(),
      ...reviews,
      authorizationPolicy('ports', {
        selector: { matchLabels: { app: 'reviews' } },
        rules: [{ to: [{ operation: { ports: ['9080'] } }] }],
      }),
      authorizationPolicy('get-only', {
        targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ]);
    expect(only(messages, 'AMB0001', 'AMB0002', 'AMB0003')).toEqual([]);
  });
});

describe('analysis: what the shared compiler refuses in an AuthorizationPolicy', () => {
  it('reports schema errors Istio would reject, an unknown `when` key, AUDIT at ztunnel, CUSTOM without provider, a bad dry-run', () => {
    const messages = run([
      ...ambientMesh(),
      ...reviews,
      authorizationPolicy('both', {
        selector: { matchLabels: { app: 'reviews' } },
        targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }],
      }),
      authorizationPolicy('cidr', { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] }),
      authorizationPolicy('when', { action: 'DENY', rules: [{ when: [{ key: 'experimental.envoy.filters.x', values: ['1'] }] }] }),
      authorizationPolicy('audit', { action: 'AUDIT', rules: [{}] }),
      authorizationPolicy('ext-authz', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] }),
      {
        ...authorizationPolicy('maybe', { action: 'DENY', rules: [{}] }),
        metadata: { name: 'maybe', namespace: 'demo', annotations: { 'istio.io/dry-run': 'yes' } },
      },
    ]);
    expect(summary(only(messages, 'IST0106', 'AMB0004', 'AMB0005', 'AMB0006', 'AMB0007'))).toEqual([
      'AMB0004 AuthorizationPolicy demo/when spec.rules[0].when[0].key',
      'IST0106 AuthorizationPolicy demo/both spec.selector',
      'IST0106 AuthorizationPolicy demo/cidr spec.rules[0].from[0].source.ipBlocks[0]',
      'AMB0005 AuthorizationPolicy demo/audit spec.action',
      'AMB0006 AuthorizationPolicy demo/ext-authz spec.provider.name',
      'AMB0007 AuthorizationPolicy demo/maybe metadata.annotations["istio.io/dry-run"]',
    ]);
  });

  it('is quiet for a well-formed policy', () => {
    const messages = run([
      ...meshWithoutWaypoint(),
      authorizationPolicy('from-default', {
        selector: { matchLabels: { app: 'reviews' } },
        rules: [{ from: [{ source: { namespaces: ['default'] } }] }],
      }),
    ]);
    expect(messages).toEqual([]);
  });
});

describe('analysis: targetRefs and selector', () => {
  it('reports targetRefs of a kind no policy attaches to, into another namespace, and to ServiceEntry which Ambit lacks', () => {
    const messages = run([
      ...ambientMesh(),
      authorizationPolicy('deploy', { targetRefs: [{ kind: 'Deployment', group: 'apps', name: 'reviews' }] }),
      authorizationPolicy('elsewhere', { targetRefs: [{ kind: 'Service', group: '', name: 'reviews', namespace: 'default' }] }),
      authorizationPolicy('external', { targetRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: 'api' }] }),
    ]);
    expect(summary(only(messages, 'IST0106', 'AMB0012'))).toEqual([
      'AMB0012 AuthorizationPolicy demo/external spec.targetRefs[0].kind',
      'IST0106 AuthorizationPolicy demo/deploy spec.targetRefs[0].kind',
      'IST0106 AuthorizationPolicy demo/elsewhere spec.targetRefs[0].namespace',
    ]);
  });

  it('reports a targetRefs policy on a Service no waypoint serves, and on a Gateway that is not a waypoint, as ineffective (IST0167)', () => {
    const ingress = {
      ...waypoint('ingress'),
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    const messages = run([
      ...meshWithoutWaypoint(),
      ingress,
      authorizationPolicy('on-service', { targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }] }),
      authorizationPolicy('on-ingress', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'ingress' }] }),
      authorizationPolicy('on-class', {
        targetRefs: [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }],
      }),
    ]);
    expect(summary(only(messages, 'IST0167'))).toEqual([
      'IST0167 AuthorizationPolicy demo/on-class spec.targetRefs[0]',
      'IST0167 AuthorizationPolicy demo/on-ingress spec.targetRefs[0]',
      'IST0167 AuthorizationPolicy demo/on-service spec.targetRefs[0]',
    ]);
    expect(only(messages, 'IST0167')[2]?.message).toContain('no waypoint serves Service demo/reviews');
  });

  it('accepts targetRefs to a Service a waypoint serves, to the waypoint, and to its class from the root namespace', () => {
    const messages = run([
      ...ambientMesh(),
      ...reviews,
      authorizationPolicy('on-service', { targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }] }),
      authorizationPolicy('on-waypoint', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] }),
      authorizationPolicy(
        'on-class',
        { targetRefs: [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }] },
        'istio-system',
      ),
    ]);
    expect(messages).toEqual([]);
  });

  it("reports a selector on a waypoint's own pods, and an HTTP-attribute selector policy on workloads behind a waypoint (IST0166)", () => {
    const messages = run([
      ...ambientMesh(),
      ...reviews,
      pod('waypoint-1', { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }),
      authorizationPolicy('on-waypoint-pods', { selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }),
      authorizationPolicy('get-only', {
        selector: { matchLabels: { app: 'reviews' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ]);
    expect(only(messages, 'IST0166').map((m) => [m.resource.name, m.message])).toEqual([
      ['get-only', expect.stringMatching(/^The selected workloads are served by waypoint demo\/waypoint: .* Use targetRefs/)],
      ['on-waypoint-pods', 'Ineffective selector on waypoint waypoint. Use targetRefs (kind: Gateway, name: waypoint) instead'],
    ]);
  });

  it('leaves an L4 selector policy on workloads behind a waypoint alone', () => {
    const messages = run([
      ...ambientMesh(),
      ...reviews,
      authorizationPolicy('via-waypoint', {
        selector: { matchLabels: { app: 'reviews' } },
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/demo/sa/waypoint'] } }] }],
      }),
    ]);
    expect(messages).toEqual([]);
  });
});
