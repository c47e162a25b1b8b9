import { createHash } from 'node:crypto';
import { type Canary, canonicalJson, type Deployment, type HttpRouteMatch, type HttpRouteRule, type KubeObject } from '@ambit/shared';
import { canaryNames, selectorLabelKeys, TOTAL_WEIGHT } from './canary-model';
import { literalPattern } from './literal-pattern';

/**
 * The objects a Canary owns, as Flagger generates them: `<target>-primary` (a copy of the target
 * whose selector labels end in `-primary`), Services `<svc>` and `<svc>-primary` selecting the
 * primary and `<svc>-canary` selecting the target, and the HTTPRoute `<svc>` whose weights move.
 */

/** Flagger's `lastAppliedSpec`: a hash of the pod template, so any change to it is a new revision. */
export function podTemplateHash(deployment: Pick<Deployment, 'spec'>): string {
  return createHash('sha256').update(canonicalJson(deployment.spec.template)).digest('hex').slice(0, 16);
}

function ownerReference(canary: Canary) {
  const uid = (canary.metadata as { uid?: string }).uid;
  return [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: canary.metadata.name, ...(uid ? { uid } : {}), controller: true }];
}

function primaryLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const key of selectorLabelKeys()) if (out[key] !== undefined) out[key] = `${out[key]}-primary`;
  return out;
}

/** The target's selector labels (the canary's pods). */
export function canarySelector(target: Deployment): Record<string, string> {
  return { ...(target.spec.selector.matchLabels as Record<string, string> | undefined) };
}

export function primarySelector(target: Deployment): Record<string, string> {
  return primaryLabels(canarySelector(target));
}

export function primaryDeployment(canary: Canary, target: Deployment, replicas: number): KubeObject {
  const names = canaryNames(canary);
  const template = target.spec.template;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: names.primary,
      namespace: canary.metadata.namespace,
      labels: primaryLabels(target.metadata.labels),
      ownerReferences: ownerReference(canary),
    },
    spec: {
      replicas,
      selector: { ...target.spec.selector, matchLabels: primarySelector(target) },
      template: { ...template, metadata: { ...template.metadata, labels: primaryLabels(template.metadata?.labels) } },
    },
  };
}

/** The primary with the target's current template (promotion), keeping the primary's replicas. */
export function promotedPrimary(canary: Canary, target: Deployment, primary: Deployment | undefined): KubeObject {
  return primaryDeployment(canary, target, primary?.spec.replicas ?? target.spec.replicas ?? 1);
}

/** The hash the primary carries once it runs the target's template (labels renamed). */
export function primaryTemplateHashFor(canary: Canary, target: Deployment): string {
  return podTemplateHash(primaryDeployment(canary, target, 1) as unknown as Deployment);
}

export function scaledTarget(target: Deployment, replicas: number): KubeObject {
  const { status: _status, ...rest } = target as Deployment & { status?: unknown };
  return { ...rest, spec: { ...target.spec, replicas } } as KubeObject;
}

export function services(canary: Canary, target: Deployment): KubeObject[] {
  const names = canaryNames(canary);
  const spec = canary.spec.service;
  const port = { name: spec.portName ?? 'http', port: spec.port, targetPort: spec.targetPort ?? spec.port, protocol: 'TCP' };
  const service = (name: string, selector: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: canary.metadata.namespace, ownerReferences: ownerReference(canary) },
    spec: { type: 'ClusterIP', selector, ports: [port] },
  });
  return [
    service(names.service, primarySelector(target)),
    service(names.primaryService, primarySelector(target)),
    service(names.canaryService, canarySelector(target)),
  ];
}

interface FlaggerStringMatch {
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
}

/** Flagger's header match (`exact`/`prefix`/`suffix`/`regex`) as a Gateway API header match. */
function headerMatch(name: string, match: FlaggerStringMatch) {
  if (match.exact !== undefined) return { type: 'Exact' as const, name, value: match.exact };
  if (match.prefix !== undefined) return { type: 'RegularExpression' as const, name, value: `^${literalPattern(match.prefix)}.*` };
  if (match.suffix !== undefined) return { type: 'RegularExpression' as const, name, value: `.*${literalPattern(match.suffix)}$` };
  return { type: 'RegularExpression' as const, name, value: match.regex ?? '.*' };
}

export function parentRefs(canary: Canary) {
  const names = canaryNames(canary);
  const gateways = canary.spec.service.gatewayRefs ?? [];
  // Without gatewayRefs the route attaches to the apex Service: the mesh (GAMMA) way, served by its waypoint.
  if (gateways.length === 0) return [{ group: '', kind: 'Service', name: names.service, port: canary.spec.service.port }];
  return gateways.map((ref) => {
    const r = ref as { group?: string; kind?: string; name: string; namespace?: string; sectionName?: string; port?: number };
    return {
      ...(r.group !== undefined ? { group: r.group === 'core' ? '' : r.group } : {}),
      ...(r.kind !== undefined ? { kind: r.kind } : {}),
      name: r.name,
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.sectionName !== undefined ? { sectionName: r.sectionName } : {}),
      ...(r.port !== undefined ? { port: r.port } : {}),
    };
  });
}

export function httpRoute(canary: Canary, canaryWeight: number, abMatch: boolean): KubeObject {
  const names = canaryNames(canary);
  const port = canary.spec.service.port;
  const backends = (canaryShare: number) => [
    { group: '', kind: 'Service', name: names.primaryService, port, weight: TOTAL_WEIGHT - canaryShare },
    { group: '', kind: 'Service', name: names.canaryService, port, weight: canaryShare },
  ];
  const rules: HttpRouteRule[] = [];
  if (abMatch) {
    for (const match of canary.spec.analysis?.match ?? []) {
      const headers = Object.entries((match.headers ?? {}) as Record<string, FlaggerStringMatch>).map(([name, m]) => headerMatch(name, m));
      const matches: HttpRouteMatch[] = [{ ...(headers.length > 0 ? { headers } : {}) }];
      rules.push({ matches, backendRefs: backends(TOTAL_WEIGHT) });
    }
  }
  rules.push({ backendRefs: backends(canaryWeight) });
  const hosts = (canary.spec.service as { hosts?: string[] }).hosts;
  const gatewayAttached = (canary.spec.service.gatewayRefs?.length ?? 0) > 0;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: names.route, namespace: canary.metadata.namespace, ownerReferences: ownerReference(canary) },
    spec: {
      parentRefs: parentRefs(canary),
      ...(gatewayAttached && hosts && hosts.length > 0 ? { hostnames: hosts } : {}),
      rules,
    },
  };
}

/** The canary weight an HTTPRoute written by `httpRoute` carries (its last, catch-all rule). */
export function routeCanaryWeight(canary: Canary, route: KubeObject | undefined): number | undefined {
  const rules = (route?.spec as { rules?: HttpRouteRule[] } | undefined)?.rules;
  const last = rules?.[rules.length - 1];
  const backend = last?.backendRefs?.find((b) => b.name === canaryNames(canary).canaryService);
  return backend?.weight;
}
