import { describe, expect, it } from 'vitest';
import {
  type AuthorizationPolicy,
  type AuthorizationPolicySpec,
  authorizationPolicySchema,
  type PeerAuthentication,
  peerAuthenticationSchema,
} from '../resources/security';
import { compileAuthorizationPolicy } from './compile';
import { evaluateAuthorization } from './evaluate';
import { compileEffectivePeerAuthentication } from './peer-authentication';
import { type CompiledPolicyWithTarget, policyTargetOf, selectPolicies } from './select';
import type { AuthzDecision, AuthzRequest, CompiledPolicy, EnforcementPoint } from './types';

// The cases below follow Istio's AuthorizationPolicy reference, its conditions page and its
// PeerAuthentication reference; each states what a user of Istio would observe.

const ROOT = 'istio-system';
const WORKLOAD = { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' } };
const SLEEP = 'cluster.local/ns/default/sa/sleep';
const TEST_CLIENT = 'cluster.local/ns/test/sa/client';
const DEV_CLIENT = 'cluster.local/ns/dev/sa/client';

type Resource = AuthorizationPolicy | PeerAuthentication;

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

function pa(
  name: string,
  spec: PeerAuthentication['spec'],
  meta: { namespace?: string; creationTimestamp?: string } = {},
): PeerAuthentication {
  return peerAuthenticationSchema.parse({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: {
      name,
      namespace: meta.namespace ?? 'foo',
      ...(meta.creationTimestamp ? { creationTimestamp: meta.creationTimestamp } : {}),
    },
    spec,
  });
}

interface RequestShape {
  principal?: string;
  ip?: string;
  port?: number;
  dstIp?: string;
  remoteIp?: string;
  http?: Partial<NonNullable<AuthzRequest['http']>>;
}

function req(r: RequestShape = {}): AuthzRequest {
  const request: AuthzRequest = {
    source: { ip: r.ip ?? '10.0.0.1' },
    destination: { ip: r.dstIp ?? '10.0.0.2', port: r.port ?? 8080 },
  };
  if (r.principal) request.source.principal = r.principal;
  if (r.remoteIp) request.source.remoteIp = r.remoteIp;
  if (r.http) request.http = { method: 'GET', path: '/', host: 'httpbin.foo', headers: {}, ...r.http };
  return request;
}

/** Compiles for one enforcement point and decides the way that proxy would for the httpbin workload in `foo`. */
function decide(resources: readonly Resource[], request: AuthzRequest, at: EnforcementPoint): AuthzDecision {
  const compiled: CompiledPolicyWithTarget[] = [];
  const peerAuthentications: PeerAuthentication[] = [];
  for (const r of resources) {
    if (r.kind === 'PeerAuthentication') {
      peerAuthentications.push(r as PeerAuthentication);
      continue;
    }
    const policy = r as AuthorizationPolicy;
    const result = compileAuthorizationPolicy(policy, { enforcement: at, rootNamespace: ROOT });
    if (result.compiled) compiled.push({ policy: result.compiled, target: policyTargetOf(policy) });
  }
  let policies: CompiledPolicy[];
  if (at === 'ztunnel') {
    policies = selectPolicies(compiled, WORKLOAD, { rootNamespace: ROOT });
    const peer = compileEffectivePeerAuthentication(peerAuthentications, WORKLOAD, ROOT).compiled;
    if (peer) policies.push(peer);
  } else {
    // A waypoint enforces the policies attached to it; these cases attach every policy given.
    policies = compiled.map((c) => c.policy);
  }
  return evaluateAuthorization(policies, request);
}

interface Case {
  name: string;
  at?: EnforcementPoint;
  resources: Resource[];
  request: AuthzRequest;
  allowed: boolean;
  /** The deciding policy `namespace/name`. */
  by?: string;
  rule?: number;
  reason?: RegExp;
}

const allowNothing = ap('allow-nothing', {});
const allowAll = ap('allow-all', { rules: [{}] });
const getOnly = ap('get-only', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
// Istio's reference example: sleep or namespace test; GET /info* or POST /data; JWT issued by Google.
const httpbinExample = ap('httpbin', {
  action: 'ALLOW',
  rules: [
    {
      from: [{ source: { principals: [SLEEP] } }, { source: { namespaces: ['test'] } }],
      to: [{ operation: { methods: ['GET'], paths: ['/info*'] } }, { operation: { methods: ['POST'], paths: ['/data'] } }],
      when: [{ key: 'request.auth.claims[iss]', values: ['https://accounts.google.com'] }],
    },
  ],
});
const google = { iss: 'https://accounts.google.com', sub: 'user-1' };

const cases: Case[] = [
  // Defaults and the empty shapes.
  { name: 'no policy: allowed', resources: [], request: req(), allowed: true, reason: /no ALLOW policy applies/ },
  {
    name: 'spec: {} is allow-nothing',
    resources: [allowNothing],
    request: req({ principal: SLEEP }),
    allowed: false,
    reason: /^no ALLOW policy matched \(1 apply\)$/,
  },
  { name: 'rules: [{}] allows everything', resources: [allowAll], request: req(), allowed: true, by: 'foo/allow-all', rule: 0 },
  {
    name: 'DENY with rules: [{}] denies everything, whatever ALLOW says',
    resources: [allowAll, ap('deny-all', { action: 'DENY', rules: [{}] })],
    request: req({ principal: SLEEP }),
    allowed: false,
    by: 'foo/deny-all',
    rule: 0,
    reason: /^denied by DENY policy foo\/deny-all rule 0$/,
  },
  { name: 'DENY without rules matches nothing', resources: [ap('deny-none', { action: 'DENY' })], request: req(), allowed: true },
  {
    name: 'any matching ALLOW allows, even next to allow-nothing',
    resources: [allowNothing, allowAll],
    request: req(),
    allowed: true,
    by: 'foo/allow-all',
  },

  // principals / notPrincipals.
  {
    name: 'principals: exact identity allowed',
    resources: [ap('p', { rules: [{ from: [{ source: { principals: [SLEEP] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: true,
    by: 'foo/p',
  },
  {
    name: 'principals: another identity denied',
    resources: [ap('p', { rules: [{ from: [{ source: { principals: [SLEEP] } }] }] })],
    request: req({ principal: TEST_CLIENT }),
    allowed: false,
  },
  {
    name: 'principals ["*"] does not match plaintext',
    resources: [ap('any-identity', { rules: [{ from: [{ source: { principals: ['*'] } }] }] })],
    request: req(),
    allowed: false,
  },
  {
    name: 'principals ["*"] matches any mTLS peer',
    resources: [ap('any-identity', { rules: [{ from: [{ source: { principals: ['*'] } }] }] })],
    request: req({ principal: TEST_CLIENT }),
    allowed: true,
  },
  {
    name: 'DENY notPrincipals ["*"] denies plaintext',
    resources: [ap('require-mtls', { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] })],
    request: req(),
    allowed: false,
    by: 'foo/require-mtls',
  },
  {
    name: 'DENY notPrincipals ["*"] lets mTLS through',
    resources: [ap('require-mtls', { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'principals prefix match',
    resources: [ap('p', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/*'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'principals suffix match across namespaces',
    resources: [ap('p', { rules: [{ from: [{ source: { principals: ['*/sa/client'] } }] }] })],
    request: req({ principal: DEV_CLIENT }),
    allowed: true,
  },
  {
    name: 'ALLOW notPrincipals matches plaintext (nothing to exclude)',
    resources: [ap('p', { rules: [{ from: [{ source: { notPrincipals: [SLEEP] } }] }] })],
    request: req(),
    allowed: true,
  },
  {
    name: 'ALLOW notPrincipals excludes the listed identity',
    resources: [ap('p', { rules: [{ from: [{ source: { notPrincipals: [SLEEP] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },

  // namespaces / notNamespaces.
  {
    name: 'namespaces: peer from the namespace allowed',
    resources: [ap('ns', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] })],
    request: req({ principal: TEST_CLIENT }),
    allowed: true,
  },
  {
    name: 'namespaces: peer from elsewhere denied',
    resources: [ap('ns', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'namespaces: plaintext has no namespace',
    resources: [ap('ns', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] })],
    request: req(),
    allowed: false,
  },
  {
    name: 'namespaces prefix match',
    resources: [ap('ns', { rules: [{ from: [{ source: { namespaces: ['te*'] } }] }] })],
    request: req({ principal: TEST_CLIENT }),
    allowed: true,
  },
  {
    name: 'DENY notNamespaces denies peers from other namespaces',
    resources: [ap('only-foo', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['foo'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'DENY notNamespaces lets the listed namespace through',
    resources: [ap('only-foo', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['foo'] } }] }] })],
    request: req({ principal: 'cluster.local/ns/foo/sa/x' }),
    allowed: true,
  },
  {
    name: 'DENY notNamespaces also denies plaintext',
    resources: [ap('only-foo', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['foo'] } }] }] })],
    request: req(),
    allowed: false,
  },

  // serviceAccounts / notServiceAccounts.
  {
    name: 'serviceAccounts <ns>/<sa> allowed',
    resources: [ap('sa', { rules: [{ from: [{ source: { serviceAccounts: ['default/sleep'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'serviceAccounts <sa> means the policy namespace: default/sleep denied',
    resources: [ap('sa', { rules: [{ from: [{ source: { serviceAccounts: ['sleep'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'serviceAccounts <sa> means the policy namespace: foo/sleep allowed',
    resources: [ap('sa', { rules: [{ from: [{ source: { serviceAccounts: ['sleep'] } }] }] })],
    request: req({ principal: 'cluster.local/ns/foo/sa/sleep' }),
    allowed: true,
  },
  {
    name: 'serviceAccounts does not match plaintext',
    resources: [ap('sa', { rules: [{ from: [{ source: { serviceAccounts: ['default/sleep'] } }] }] })],
    request: req(),
    allowed: false,
  },
  {
    name: 'serviceAccounts is not a prefix match (sleep-v2 is another account)',
    resources: [ap('sa', { rules: [{ from: [{ source: { serviceAccounts: ['default/sleep'] } }] }] })],
    request: req({ principal: 'cluster.local/ns/default/sa/sleep-v2' }),
    allowed: false,
  },
  {
    name: 'DENY notServiceAccounts denies every other account',
    resources: [ap('trusted-only', { action: 'DENY', rules: [{ from: [{ source: { notServiceAccounts: ['foo/trusted'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'DENY notServiceAccounts lets the listed account through',
    resources: [ap('trusted-only', { action: 'DENY', rules: [{ from: [{ source: { notServiceAccounts: ['foo/trusted'] } }] }] })],
    request: req({ principal: 'cluster.local/ns/foo/sa/trusted' }),
    allowed: true,
  },

  // ipBlocks / notIpBlocks, IPv4 and IPv6.
  {
    name: 'ipBlocks CIDR contains the source',
    resources: [ap('ip', { rules: [{ from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }] }] })],
    request: req({ ip: '10.1.2.3' }),
    allowed: true,
  },
  {
    name: 'ipBlocks CIDR does not contain the source',
    resources: [ap('ip', { rules: [{ from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }] }] })],
    request: req({ ip: '10.2.0.1' }),
    allowed: false,
  },
  {
    name: 'ipBlocks single address',
    resources: [ap('ip', { rules: [{ from: [{ source: { ipBlocks: ['203.0.113.4'] } }] }] })],
    request: req({ ip: '203.0.113.4' }),
    allowed: true,
  },
  {
    name: 'DENY notIpBlocks denies everyone outside the block',
    resources: [ap('internal', { action: 'DENY', rules: [{ from: [{ source: { notIpBlocks: ['10.0.0.0/8'] } }] }] })],
    request: req({ ip: '192.168.1.1' }),
    allowed: false,
  },
  {
    name: 'DENY notIpBlocks lets the block through',
    resources: [ap('internal', { action: 'DENY', rules: [{ from: [{ source: { notIpBlocks: ['10.0.0.0/8'] } }] }] })],
    request: req({ ip: '10.9.9.9' }),
    allowed: true,
  },
  {
    name: 'IPv6 CIDR contains the source',
    resources: [ap('ip6', { rules: [{ from: [{ source: { ipBlocks: ['2001:db8::/32'] } }] }] })],
    request: req({ ip: '2001:db8:1::5' }),
    allowed: true,
  },
  {
    name: 'IPv6 CIDR does not contain the source',
    resources: [ap('ip6', { rules: [{ from: [{ source: { ipBlocks: ['2001:db8::/32'] } }] }] })],
    request: req({ ip: '2001:db9::1' }),
    allowed: false,
  },
  {
    name: 'an IPv4 block matches an IPv4-mapped IPv6 source',
    resources: [ap('ip', { rules: [{ from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }] }] })],
    request: req({ ip: '::ffff:10.1.2.3' }),
    allowed: true,
  },
  {
    name: 'an IPv4 block never matches a plain IPv6 source',
    resources: [ap('ip', { rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }] })],
    request: req({ ip: '2001:db8::1' }),
    allowed: false,
  },

  // ports / notPorts.
  {
    name: 'ports: listed port allowed',
    resources: [ap('port', { rules: [{ to: [{ operation: { ports: ['8080'] } }] }] })],
    request: req({ port: 8080 }),
    allowed: true,
  },
  {
    name: 'ports: other port denied',
    resources: [ap('port', { rules: [{ to: [{ operation: { ports: ['8080'] } }] }] })],
    request: req({ port: 9090 }),
    allowed: false,
  },
  {
    name: 'DENY notPorts denies every other port',
    resources: [ap('only-8080', { action: 'DENY', rules: [{ to: [{ operation: { notPorts: ['8080'] } }] }] })],
    request: req({ port: 9090 }),
    allowed: false,
  },
  {
    name: 'DENY notPorts lets the listed port through',
    resources: [ap('only-8080', { action: 'DENY', rules: [{ to: [{ operation: { notPorts: ['8080'] } }] }] })],
    request: req({ port: 8080 }),
    allowed: true,
  },

  // How from / to / fields / rules combine.
  {
    name: 'from entries OR: the second source matches',
    resources: [ap('or', { rules: [{ from: [{ source: { principals: [SLEEP] } }, { source: { namespaces: ['test'] } }] }] })],
    request: req({ principal: TEST_CLIENT }),
    allowed: true,
  },
  {
    name: 'fields of one source AND: right namespace, wrong IP',
    resources: [ap('and', { rules: [{ from: [{ source: { namespaces: ['test'], ipBlocks: ['10.1.0.0/16'] } }] }] })],
    request: req({ principal: TEST_CLIENT, ip: '10.2.0.1' }),
    allowed: false,
  },
  {
    name: 'from AND to: right source, wrong port',
    resources: [ap('and', { rules: [{ from: [{ source: { principals: [SLEEP] } }], to: [{ operation: { ports: ['8080'] } }] }] })],
    request: req({ principal: SLEEP, port: 9090 }),
    allowed: false,
  },
  {
    name: 'from AND to: both match',
    resources: [ap('and', { rules: [{ from: [{ source: { principals: [SLEEP] } }], to: [{ operation: { ports: ['8080'] } }] }] })],
    request: req({ principal: SLEEP, port: 8080 }),
    allowed: true,
  },
  {
    name: 'rules OR: the second rule allows and is reported',
    resources: [
      ap('two-rules', {
        rules: [{ from: [{ source: { namespaces: ['test'] } }] }, { from: [{ source: { namespaces: ['default'] } }] }],
      }),
    ],
    request: req({ principal: SLEEP }),
    allowed: true,
    by: 'foo/two-rules',
    rule: 1,
    reason: /^allowed by ALLOW policy foo\/two-rules rule 1$/,
  },
  {
    name: 'DENY is evaluated before ALLOW',
    resources: [
      ap('allow-test', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] }),
      ap('deny-9090', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['9090'] } }] }] }),
    ],
    request: req({ principal: TEST_CLIENT, port: 9090 }),
    allowed: false,
    by: 'foo/deny-9090',
  },
  {
    name: 'a non-matching DENY leaves the ALLOW decision',
    resources: [
      ap('allow-test', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] }),
      ap('deny-9090', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['9090'] } }] }] }),
    ],
    request: req({ principal: TEST_CLIENT, port: 8080 }),
    allowed: true,
    by: 'foo/allow-test',
  },
  {
    name: 'several ALLOW policies: the second one matches',
    resources: [
      ap('allow-test', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] }),
      ap('allow-default', { rules: [{ from: [{ source: { namespaces: ['default'] } }] }] }),
    ],
    request: req({ principal: SLEEP }),
    allowed: true,
    by: 'foo/allow-default',
  },
  {
    name: 'several ALLOW policies, none matching: the reason counts them',
    resources: [
      ap('allow-test', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] }),
      ap('allow-default', { rules: [{ from: [{ source: { namespaces: ['default'] } }] }] }),
    ],
    request: req({ principal: DEV_CLIENT }),
    allowed: false,
    reason: /^no ALLOW policy matched \(2 apply\)$/,
  },

  // when conditions at L4.
  {
    name: 'when source.ip CIDR',
    resources: [ap('w', { rules: [{ when: [{ key: 'source.ip', values: ['10.1.0.0/16'] }] }] })],
    request: req({ ip: '10.1.7.7' }),
    allowed: true,
  },
  {
    name: 'when source.namespace notValues excludes',
    resources: [ap('w', { rules: [{ when: [{ key: 'source.namespace', notValues: ['dev'] }] }] })],
    request: req({ principal: DEV_CLIENT }),
    allowed: false,
  },
  {
    name: 'when destination.port values',
    resources: [ap('w', { rules: [{ when: [{ key: 'destination.port', values: ['8080', '8443'] }] }] })],
    request: req({ port: 8443 }),
    allowed: true,
  },
  {
    name: 'when destination.ip mismatch',
    resources: [ap('w', { rules: [{ when: [{ key: 'destination.ip', values: ['10.0.0.99'] }] }] })],
    request: req({ dstIp: '10.0.0.2' }),
    allowed: false,
  },
  {
    name: 'when source.principal',
    resources: [ap('w', { rules: [{ when: [{ key: 'source.principal', values: [SLEEP] }] }] })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'when conditions AND: namespace matches, port does not',
    resources: [
      ap('w', {
        rules: [
          {
            when: [
              { key: 'source.namespace', values: ['test'] },
              { key: 'destination.port', values: ['8080'] },
            ],
          },
        ],
      }),
    ],
    request: req({ principal: TEST_CLIENT, port: 9090 }),
    allowed: false,
  },

  // L7 at a waypoint.
  { name: 'methods: GET allowed', at: 'waypoint', resources: [getOnly], request: req({ http: { method: 'GET' } }), allowed: true },
  { name: 'methods: POST denied', at: 'waypoint', resources: [getOnly], request: req({ http: { method: 'POST' } }), allowed: false },
  {
    name: 'reference example: sleep GETs /info/... with a Google JWT',
    at: 'waypoint',
    resources: [httpbinExample],
    request: req({ principal: SLEEP, http: { method: 'GET', path: '/info/status', claims: google } }),
    allowed: true,
    by: 'foo/httpbin',
    rule: 0,
  },
  {
    name: 'reference example: POST /info is not allowed',
    at: 'waypoint',
    resources: [httpbinExample],
    request: req({ principal: SLEEP, http: { method: 'POST', path: '/info', claims: google } }),
    allowed: false,
  },
  {
    name: 'reference example: namespace test POSTs /data (query string ignored)',
    at: 'waypoint',
    resources: [httpbinExample],
    request: req({ principal: TEST_CLIENT, http: { method: 'POST', path: '/data?verbose=1', claims: google } }),
    allowed: true,
  },
  {
    name: 'reference example: no JWT, no access',
    at: 'waypoint',
    resources: [httpbinExample],
    request: req({ principal: SLEEP, http: { method: 'GET', path: '/info' } }),
    allowed: false,
  },
  {
    name: 'reference example: another issuer is not enough',
    at: 'waypoint',
    resources: [httpbinExample],
    request: req({ principal: SLEEP, http: { method: 'GET', path: '/info', claims: { iss: 'https://evil.example.com' } } }),
    allowed: false,
  },
  {
    name: 'paths suffix match',
    at: 'waypoint',
    resources: [ap('html', { rules: [{ to: [{ operation: { paths: ['*.html'] } }] }] })],
    request: req({ http: { path: '/docs/index.html' } }),
    allowed: true,
  },
  {
    name: 'paths exact does not match a longer path',
    at: 'waypoint',
    resources: [ap('exact', { rules: [{ to: [{ operation: { paths: ['/data'] } }] }] })],
    request: req({ http: { path: '/data/x' } }),
    allowed: false,
  },
  {
    name: 'notPaths excludes an admin prefix',
    at: 'waypoint',
    resources: [ap('no-admin', { rules: [{ to: [{ operation: { notPaths: ['/admin*'] } }] }] })],
    request: req({ http: { path: '/admin/users' } }),
    allowed: false,
  },
  {
    name: 'notPaths lets other paths through',
    at: 'waypoint',
    resources: [ap('no-admin', { rules: [{ to: [{ operation: { notPaths: ['/admin*'] } }] }] })],
    request: req({ http: { path: '/public' } }),
    allowed: true,
  },
  {
    name: 'hosts match case-insensitively with a suffix wildcard',
    at: 'waypoint',
    resources: [ap('hosts', { rules: [{ to: [{ operation: { hosts: ['*.example.com'] } }] }] })],
    request: req({ http: { host: 'API.Example.COM' } }),
    allowed: true,
  },
  {
    name: 'hosts exact does not cover host:port',
    at: 'waypoint',
    resources: [ap('hosts', { rules: [{ to: [{ operation: { hosts: ['httpbin.foo'] } }] }] })],
    request: req({ http: { host: 'httpbin.foo:8000' } }),
    allowed: false,
  },
  {
    name: 'notHosts excludes a host',
    at: 'waypoint',
    resources: [ap('not-hosts', { rules: [{ to: [{ operation: { notHosts: ['internal.example.com'] } }] }] })],
    request: req({ http: { host: 'Internal.Example.com' } }),
    allowed: false,
  },
  {
    name: 'when request.headers prefix match',
    at: 'waypoint',
    resources: [ap('ua', { rules: [{ when: [{ key: 'request.headers[User-Agent]', values: ['Mozilla/*'] }] }] })],
    request: req({ http: { headers: { 'user-agent': 'Mozilla/5.0' } } }),
    allowed: true,
  },
  {
    name: 'when request.headers other value denied',
    at: 'waypoint',
    resources: [ap('ua', { rules: [{ when: [{ key: 'request.headers[User-Agent]', values: ['Mozilla/*'] }] }] })],
    request: req({ http: { headers: { 'user-agent': 'curl/8.0' } } }),
    allowed: false,
  },
  {
    name: 'when request.headers absent header denied',
    at: 'waypoint',
    resources: [ap('ua', { rules: [{ when: [{ key: 'request.headers[User-Agent]', values: ['Mozilla/*'] }] }] })],
    request: req({ http: {} }),
    allowed: false,
  },
  {
    name: 'DENY when a header is missing (notValues ["*"])',
    at: 'waypoint',
    resources: [ap('need-token', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-token]', notValues: ['*'] }] }] })],
    request: req({ http: {} }),
    allowed: false,
    by: 'foo/need-token',
  },
  {
    name: 'DENY when a header is missing: present header passes',
    at: 'waypoint',
    resources: [ap('need-token', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-token]', notValues: ['*'] }] }] })],
    request: req({ http: { headers: { 'x-token': 'abc' } } }),
    allowed: true,
  },
  {
    name: 'requestPrincipals ["*"] requires a JWT',
    at: 'waypoint',
    resources: [ap('jwt', { rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] })],
    request: req({ http: {} }),
    allowed: false,
  },
  {
    name: 'requestPrincipals ["*"] with a JWT',
    at: 'waypoint',
    resources: [ap('jwt', { rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] })],
    request: req({ http: { requestPrincipal: 'issuer.example.com/subject-admin' } }),
    allowed: true,
  },
  {
    name: 'DENY notRequestPrincipals ["*"] rejects requests without a JWT',
    at: 'waypoint',
    resources: [ap('require-jwt', { action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] })],
    request: req({ principal: SLEEP, http: {} }),
    allowed: false,
  },
  {
    name: 'requestPrincipals exact <iss>/<sub>',
    at: 'waypoint',
    resources: [ap('admin', { rules: [{ from: [{ source: { requestPrincipals: ['issuer.example.com/subject-admin'] } }] }] })],
    request: req({ http: { requestPrincipal: 'issuer.example.com/subject-user' } }),
    allowed: false,
  },
  {
    name: 'when request.auth.audiences matches one audience of a list',
    at: 'waypoint',
    resources: [ap('aud', { rules: [{ when: [{ key: 'request.auth.audiences', values: ['example.com'] }] }] })],
    request: req({ http: { requestPrincipal: 'iss/sub', claims: { aud: ['other.com', 'example.com'] } } }),
    allowed: true,
  },
  {
    name: 'when request.auth.presenter',
    at: 'waypoint',
    resources: [ap('azp', { rules: [{ when: [{ key: 'request.auth.presenter', values: ['123456789012.example.com'] }] }] })],
    request: req({ http: { claims: { azp: '123456789012.example.com' } } }),
    allowed: true,
  },
  {
    name: 'when request.auth.claims[groups] matches a list element',
    at: 'waypoint',
    resources: [ap('groups', { rules: [{ when: [{ key: 'request.auth.claims[groups]', values: ['admin'] }] }] })],
    request: req({ http: { claims: { groups: ['dev', 'admin'] } } }),
    allowed: true,
  },
  {
    name: 'when request.auth.claims nested [a][b]',
    at: 'waypoint',
    resources: [ap('nested', { rules: [{ when: [{ key: 'request.auth.claims[realm][role]', values: ['owner'] }] }] })],
    request: req({ http: { claims: { realm: { role: 'viewer' } } } }),
    allowed: false,
  },
  {
    name: 'path template {*} matches one segment',
    at: 'waypoint',
    resources: [ap('tmpl', { rules: [{ to: [{ operation: { paths: ['/foo/{*}'] } }] }] })],
    request: req({ http: { path: '/foo/bar' } }),
    allowed: true,
  },
  {
    name: 'path template {*} does not span segments',
    at: 'waypoint',
    resources: [ap('tmpl', { rules: [{ to: [{ operation: { paths: ['/foo/{*}'] } }] }] })],
    request: req({ http: { path: '/foo/bar/baz' } }),
    allowed: false,
  },
  {
    name: 'path template {*} then {**}',
    at: 'waypoint',
    resources: [ap('tmpl', { rules: [{ to: [{ operation: { paths: ['/foo/{*}/bar/{**}'] } }] }] })],
    request: req({ http: { path: '/foo/buzz/bar/baz' } }),
    allowed: true,
  },
  {
    name: 'remoteIpBlocks uses the original client address',
    at: 'waypoint',
    resources: [ap('remote', { rules: [{ from: [{ source: { remoteIpBlocks: ['198.51.100.0/24'] } }] }] })],
    request: req({ ip: '10.0.0.1', remoteIp: '198.51.100.7', http: {} }),
    allowed: true,
  },
  {
    name: 'remote.ip falls back to the source address',
    at: 'waypoint',
    resources: [ap('remote', { rules: [{ when: [{ key: 'remote.ip', values: ['10.0.0.0/24'] }] }] })],
    request: req({ ip: '10.0.0.1', http: {} }),
    allowed: true,
  },

  // Actions that never decide, or decide differently.
  {
    name: 'AUDIT never changes the decision',
    at: 'waypoint',
    resources: [ap('audit-all', { action: 'AUDIT', rules: [{}] }), allowNothing],
    request: req({ http: {} }),
    allowed: false,
  },
  {
    name: 'dry-run DENY does not deny',
    resources: [ap('dry-deny', { action: 'DENY', rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } })],
    request: req(),
    allowed: true,
  },
  {
    name: 'dry-run ALLOW does not count as an ALLOW policy',
    resources: [ap('dry-allow-nothing', {}, { annotations: { 'istio.io/dry-run': 'true' } })],
    request: req(),
    allowed: true,
  },
  {
    name: 'CUSTOM without a provider fails closed at a waypoint',
    at: 'waypoint',
    resources: [
      ap('ext-authz', {
        action: 'CUSTOM',
        provider: { name: 'my-custom-authz' },
        rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }],
      }),
      allowAll,
    ],
    request: req({ http: { path: '/public' } }),
    allowed: false,
    by: 'foo/ext-authz',
    reason: /CUSTOM policy foo\/ext-authz.*"my-custom-authz"/,
  },
  {
    name: 'CUSTOM without a provider fails closed at ztunnel',
    resources: [ap('ext-authz', { action: 'CUSTOM', provider: { name: 'my-custom-authz' }, rules: [{}] }), allowAll],
    request: req({ principal: SLEEP }),
    allowed: false,
    by: 'foo/ext-authz',
    reason: /CUSTOM policy foo\/ext-authz/,
  },

  // What ztunnel does with attributes it cannot see.
  {
    name: 'ztunnel: ALLOW with only an HTTP rule becomes allow-nothing',
    resources: [getOnly],
    request: req({ principal: SLEEP }),
    allowed: false,
    reason: /no ALLOW policy matched \(1 apply\)/,
  },
  {
    name: 'ztunnel: the L4 rule of a mixed ALLOW still allows',
    resources: [
      ap('mixed', {
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }, { from: [{ source: { namespaces: ['test'] } }] }],
      }),
    ],
    request: req({ principal: TEST_CLIENT }),
    allowed: true,
    by: 'foo/mixed',
    rule: 1,
  },
  {
    name: 'ztunnel: DENY POST on port 8080 denies all TCP on 8080 (reference example)',
    resources: [ap('deny-post-8080', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'], ports: ['8080'] } }] }] })],
    request: req({ principal: SLEEP, port: 8080 }),
    allowed: false,
    by: 'foo/deny-post-8080',
  },
  {
    name: 'ztunnel: DENY POST on port 8080 leaves other ports alone',
    resources: [ap('deny-post-8080', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'], ports: ['8080'] } }] }] })],
    request: req({ principal: SLEEP, port: 9090 }),
    allowed: true,
  },
  {
    name: 'ztunnel: DENY on a method alone denies all TCP',
    resources: [ap('deny-post', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] })],
    request: req({ principal: SLEEP, port: 9090 }),
    allowed: false,
  },
  {
    name: 'ztunnel: DENY from dev to POST denies anything from dev',
    resources: [
      ap('deny-dev-post', {
        action: 'DENY',
        rules: [{ from: [{ source: { namespaces: ['dev'] } }], to: [{ operation: { methods: ['POST'] } }] }],
      }),
    ],
    request: req({ principal: DEV_CLIENT }),
    allowed: false,
  },
  {
    name: 'ztunnel: DENY from dev to POST leaves other namespaces alone',
    resources: [
      ap('deny-dev-post', {
        action: 'DENY',
        rules: [{ from: [{ source: { namespaces: ['dev'] } }], to: [{ operation: { methods: ['POST'] } }] }],
      }),
    ],
    request: req({ principal: TEST_CLIENT }),
    allowed: true,
  },
  {
    name: 'ztunnel: DENY with a header condition drops the condition and denies',
    resources: [ap('deny-header', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-debug]', values: ['1'] }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'ztunnel: ALLOW on remoteIpBlocks is dropped',
    resources: [ap('remote', { rules: [{ from: [{ source: { remoteIpBlocks: ['10.0.0.0/8'] } }] }] })],
    request: req({ ip: '10.0.0.1' }),
    allowed: false,
  },
  {
    name: 'waypoint, TCP traffic: an ALLOW on methods cannot match',
    at: 'waypoint',
    resources: [getOnly],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'waypoint, TCP traffic: a DENY on paths treats the path as matching',
    at: 'waypoint',
    resources: [ap('deny-admin', { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] })],
    request: req({ principal: SLEEP }),
    allowed: false,
    by: 'foo/deny-admin',
  },

  // Scope: root namespace, namespace, selector, targetRefs (ztunnel).
  {
    name: 'root-namespace policy without selector applies mesh-wide',
    resources: [ap('mesh-allow-nothing', {}, { namespace: ROOT })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: "another namespace's policy does not apply",
    resources: [ap('bar-allow-nothing', {}, { namespace: 'bar' })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'selector that does not match the workload',
    resources: [ap('other-app', { selector: { matchLabels: { app: 'reviews' } } })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'selector that matches the workload',
    resources: [ap('httpbin-nothing', { selector: { matchLabels: { app: 'httpbin' } } })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'root-namespace selector applies in every namespace',
    resources: [ap('v1-nothing', { selector: { matchLabels: { version: 'v1' } } }, { namespace: ROOT })],
    request: req({ principal: SLEEP }),
    allowed: false,
  },
  {
    name: 'a policy with targetRefs is not enforced by ztunnel',
    resources: [ap('waypoint-only', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },

  // PeerAuthentication in ambient (ztunnel).
  {
    name: 'namespace STRICT refuses plaintext',
    resources: [pa('default', { mtls: { mode: 'STRICT' } })],
    request: req(),
    allowed: false,
    by: 'foo/converted_peer_authentication_default',
    reason: /^denied by PeerAuthentication foo\/default: mTLS is STRICT/,
  },
  {
    name: 'namespace STRICT accepts mTLS',
    resources: [pa('default', { mtls: { mode: 'STRICT' } })],
    request: req({ principal: SLEEP }),
    allowed: true,
  },
  {
    name: 'STRICT with port 8080 PERMISSIVE: plaintext on 8080 accepted',
    resources: [
      pa('finance', {
        selector: { matchLabels: { app: 'httpbin' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '8080': { mode: 'PERMISSIVE' } },
      }),
    ],
    request: req({ port: 8080 }),
    allowed: true,
  },
  {
    name: 'STRICT with port 8080 PERMISSIVE: plaintext on 9090 refused',
    resources: [
      pa('finance', {
        selector: { matchLabels: { app: 'httpbin' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '8080': { mode: 'PERMISSIVE' } },
      }),
    ],
    request: req({ port: 9090 }),
    allowed: false,
  },
  {
    name: 'namespace PERMISSIVE overrides mesh STRICT',
    resources: [pa('mesh', { mtls: { mode: 'STRICT' } }, { namespace: ROOT }), pa('default', { mtls: { mode: 'PERMISSIVE' } })],
    request: req(),
    allowed: true,
  },
  {
    name: 'workload STRICT overrides namespace PERMISSIVE',
    resources: [
      pa('default', { mtls: { mode: 'PERMISSIVE' } }),
      pa('finance', { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' } }),
    ],
    request: req(),
    allowed: false,
  },
  {
    name: 'workload UNSET inherits PERMISSIVE and makes port 8080 STRICT',
    resources: [
      pa('default', { mtls: { mode: 'PERMISSIVE' } }),
      pa('finance', { selector: { matchLabels: { app: 'httpbin' } }, portLevelMtls: { '8080': { mode: 'STRICT' } } }),
    ],
    request: req({ port: 8080 }),
    allowed: false,
  },
  {
    name: 'workload UNSET inherits PERMISSIVE: other ports accept plaintext',
    resources: [
      pa('default', { mtls: { mode: 'PERMISSIVE' } }),
      pa('finance', { selector: { matchLabels: { app: 'httpbin' } }, portLevelMtls: { '8080': { mode: 'STRICT' } } }),
    ],
    request: req({ port: 9090 }),
    allowed: true,
  },
  {
    name: 'workload UNSET inherits mesh STRICT; its PERMISSIVE port is the exception',
    resources: [
      pa('mesh', { mtls: { mode: 'STRICT' } }, { namespace: ROOT }),
      pa('finance', {
        selector: { matchLabels: { app: 'httpbin' } },
        mtls: { mode: 'UNSET' },
        portLevelMtls: { '8080': { mode: 'PERMISSIVE' } },
      }),
    ],
    request: req({ port: 9090 }),
    allowed: false,
  },
  {
    name: 'DISABLE acts as PERMISSIVE in ambient',
    resources: [pa('default', { mtls: { mode: 'DISABLE' } })],
    request: req(),
    allowed: true,
  },
  {
    name: 'STRICT refuses plaintext even when an ALLOW policy would allow it',
    resources: [pa('default', { mtls: { mode: 'STRICT' } }), allowAll],
    request: req(),
    allowed: false,
    by: 'foo/converted_peer_authentication_default',
  },
];

describe('evaluateAuthorization: Istio semantics', () => {
  it('covers a broad table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('$name', (c) => {
    const decision = decide(c.resources, c.request, c.at ?? 'ztunnel');
    expect(decision.allowed, decision.reason).toBe(c.allowed);
    if (c.by !== undefined) expect(decision.policy).toBe(c.by);
    if (c.rule !== undefined) expect(decision.ruleIndex).toBe(c.rule);
    if (c.reason !== undefined) expect(decision.reason).toMatch(c.reason);
  });
});

describe('evaluateAuthorization: reports', () => {
  it('lists matching AUDIT policies without changing the decision', () => {
    const decision = decide(
      [ap('audit-get', { action: 'AUDIT', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })],
      req({ http: {} }),
      'waypoint',
    );
    expect(decision.allowed).toBe(true);
    expect(decision.audit).toEqual([{ policy: 'foo/audit-get', action: 'AUDIT', ruleIndex: 0 }]);
  });

  it('reports what a dry-run DENY would have done', () => {
    const decision = decide(
      [ap('dry-deny', { action: 'DENY', rules: [{}] }, { annotations: { 'istio.io/dry-run': 'true' } })],
      req(),
      'ztunnel',
    );
    expect(decision.allowed).toBe(true);
    expect(decision.shadow).toMatchObject({ allowed: false, policy: 'foo/dry-deny', action: 'DENY', ruleIndex: 0 });
    expect(decision.shadow?.matched).toEqual([{ policy: 'foo/dry-deny', action: 'DENY', ruleIndex: 0 }]);
  });

  it('reports what a dry-run allow-nothing would have done', () => {
    const decision = decide([ap('dry-allow-nothing', {}, { annotations: { 'istio.io/dry-run': 'true' } })], req(), 'ztunnel');
    expect(decision.allowed).toBe(true);
    expect(decision.shadow).toMatchObject({ allowed: false, reason: 'no ALLOW policy matched (1 apply)', matched: [] });
  });

  it('has no shadow verdict when no dry-run policy applies', () => {
    expect(decide([allowAll], req(), 'ztunnel').shadow).toBeUndefined();
  });

  it('derives the source namespace from the principal when the caller leaves it out', () => {
    const policies = [
      compileAuthorizationPolicy(ap('ns', { rules: [{ from: [{ source: { namespaces: ['test'] } }] }] }), {
        enforcement: 'ztunnel',
        rootNamespace: ROOT,
      }).compiled as CompiledPolicy,
    ];
    expect(evaluateAuthorization(policies, req({ principal: TEST_CLIENT })).allowed).toBe(true);
    const explicit = req({ principal: TEST_CLIENT });
    explicit.source.namespace = 'other';
    expect(evaluateAuthorization(policies, explicit).allowed).toBe(false);
  });

  it('decides the same from a JSON round trip of the compiled policy (what the workload API carries)', () => {
    const policy = ap('mixed', {
      rules: [
        {
          from: [{ source: { namespaces: ['test'], ipBlocks: ['10.0.0.0/8', '2001:db8::/32'] } }],
          to: [{ operation: { ports: ['8080'] } }],
        },
      ],
    });
    const compiled = compileAuthorizationPolicy(policy, { enforcement: 'ztunnel', rootNamespace: ROOT }).compiled as CompiledPolicy;
    const copy = JSON.parse(JSON.stringify(compiled)) as CompiledPolicy;
    for (const request of [
      req({ principal: TEST_CLIENT }),
      req({ principal: TEST_CLIENT, port: 9090 }),
      req({ principal: TEST_CLIENT, ip: '2001:db8::9' }),
      req(),
    ]) {
      expect(evaluateAuthorization([copy], request)).toEqual(evaluateAuthorization([compiled], request));
    }
  });
});
