import type { KubeObject } from '@ambit/shared';
import { type AnalysisMessage, analyze } from '../src/analysis';

/** Builders for the analysis tests: a small ambient mesh in namespace `demo`, and what analysis says about it. */

export const ROOT = 'istio-system';

type Labels = Record<string, string>;

export function namespace(name: string, labels: Labels = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** `default`, `istio-system`, and `demo` enrolled in ambient and using waypoint `waypoint`, plus that waypoint. */
export function ambientMesh(): KubeObject[] {
  return [
    namespace('default'),
    namespace(ROOT),
    namespace('demo', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
    waypoint('waypoint'),
  ];
}

export function waypoint(name: string, ns = 'demo', labels: Labels = {}): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns, labels },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

export function service(name: string, selector: Labels, options: { ns?: string; labels?: Labels; port?: number } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: options.ns ?? 'demo', labels: options.labels ?? {} },
    spec: { selector, ports: [{ name: 'http', port: options.port ?? 9080 }] },
  };
}

export function pod(name: string, labels: Labels, ns = 'demo'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 9080 }] }] },
  };
}

export function deployment(
  name: string,
  labels: Labels,
  ports: { containerPort: number; name?: string }[] = [{ containerPort: 9080 }],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'demo' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1', ports }] } },
    },
  };
}

export function authorizationPolicy(name: string, spec: Record<string, unknown>, ns = 'demo'): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec };
}

export function peerAuthentication(name: string, spec: Record<string, unknown>, ns = 'demo', createdAt?: string): KubeObject {
  const metadata = createdAt ? { name, namespace: ns, creationTimestamp: createdAt } : { name, namespace: ns };
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata, spec };
}

export function httpRoute(name: string, spec: Record<string, unknown>, ns = 'demo'): KubeObject {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: ns }, spec };
}

/** parentRefs entry attaching a route to Service `name` on port 9080. */
export function toService(name: string): Record<string, unknown> {
  return { group: '', kind: 'Service', name, port: 9080 };
}

export function canary(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name, namespace: 'demo' }, spec };
}

export function run(objects: readonly KubeObject[], namespaces?: readonly string[]): AnalysisMessage[] {
  return analyze(objects, namespaces ? { rootNamespace: ROOT, namespaces } : { rootNamespace: ROOT });
}

/** `CODE Kind ns/name path` for each message: what a user scanning the output sees first. */
export function summary(messages: readonly AnalysisMessage[]): string[] {
  return messages.map((m) =>
    `${m.code} ${m.resource.kind} ${m.resource.namespace ? `${m.resource.namespace}/` : ''}${m.resource.name} ${m.path}`.trim(),
  );
}

/** The messages with one of `codes`. */
export function only(messages: readonly AnalysisMessage[], ...codes: string[]): AnalysisMessage[] {
  return messages.filter((m) => codes.includes(m.code));
}
