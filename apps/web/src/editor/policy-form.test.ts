import { describe, expect, it } from 'vitest';
import { formFromObject, hiddenFields, newPolicyObject, objectFromForm } from './policy-form';

const DENY = {
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'deny-reviews', namespace: 'demo', resourceVersion: '7', labels: { team: 'a' } },
  spec: {
    selector: { matchLabels: { app: 'ratings' } },
    action: 'DENY',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/demo/sa/reviews'], ipBlocks: ['10.0.0.0/8'] } }],
        to: [{ operation: { ports: ['9080'], hosts: ['x'] } }],
        when: [{ key: 'request.headers[x]', values: ['1'] }],
      },
      { from: [{ source: { namespaces: ['other'] } }] },
    ],
  },
};

describe('the policy form', () => {
  it('attaches a policy to a Service at its waypoint with targetRefs, replacing the selector', () => {
    const form = { ...formFromObject(DENY), attachTo: 'service' as const, targetName: 'ratings' };
    const written = objectFromForm(form, DENY);
    expect(written.spec).toMatchObject({ targetRefs: [{ group: '', kind: 'Service', name: 'ratings' }], action: 'DENY' });
    expect(written.spec).not.toHaveProperty('selector');
    expect(formFromObject(written)).toMatchObject({ attachTo: 'service', targetName: 'ratings' });
  });

  it('reads the common fields of an AuthorizationPolicy', () => {
    expect(formFromObject(DENY)).toMatchObject({
      kind: 'AuthorizationPolicy',
      name: 'deny-reviews',
      namespace: 'demo',
      action: 'DENY',
      workloadLabels: 'app=ratings',
      fromPrincipals: 'cluster.local/ns/demo/sa/reviews',
      fromNamespaces: '',
      toPorts: '9080',
    });
  });

  it('writes its fields back and keeps every field it does not show, which it names', () => {
    const form = { ...formFromObject(DENY), fromServiceAccounts: 'reviews', fromPrincipals: '', toMethods: 'GET, POST' };
    const written = objectFromForm(form, DENY);
    expect(written).toEqual({
      ...DENY,
      spec: {
        ...DENY.spec,
        rules: [
          {
            from: [{ source: { serviceAccounts: ['reviews'], ipBlocks: ['10.0.0.0/8'] } }],
            to: [{ operation: { ports: ['9080'], hosts: ['x'], methods: ['GET', 'POST'] } }],
            when: [{ key: 'request.headers[x]', values: ['1'] }],
          },
          DENY.spec.rules[1],
        ],
      },
    });
    expect(hiddenFields(DENY)).toEqual([
      'metadata.labels',
      'spec.rules[1..1]',
      'spec.rules[0].when',
      'spec.rules[0].from[0].source.ipBlocks',
      'spec.rules[0].to[0].operation.hosts',
    ]);
    // Unchanged form, unchanged object: switching modes loses nothing.
    expect(objectFromForm(formFromObject(DENY), DENY)).toEqual(DENY);
  });

  it('makes a rule without conditions when every list is empty, and requires mTLS for a PeerAuthentication', () => {
    const created = objectFromForm({ ...formFromObject(newPolicyObject('AuthorizationPolicy', 'demo')), action: 'DENY' }, {});
    expect(created).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'new-policy', namespace: 'demo' },
      spec: { action: 'DENY', rules: [{}] },
    });
    const mtls = newPolicyObject('PeerAuthentication', 'demo');
    expect(mtls).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'require-mtls', namespace: 'demo' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(hiddenFields(mtls)).toEqual([]);
  });
});
