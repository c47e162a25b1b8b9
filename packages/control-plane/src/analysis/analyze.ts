import type { KubeObject } from '@ambit/shared';
import { authorizationValidityAnalyzer } from './analyzers/authorization-validity';
import { canaryAnalyzer } from './analyzers/canary';
import { httpRoutesAnalyzer } from './analyzers/http-routes';
import { negativeConditionsAnalyzer } from './analyzers/negative-conditions';
import { peerAuthenticationAnalyzer } from './analyzers/peer-authentication';
import { policyAttachmentAnalyzer } from './analyzers/policy-attachment';
import { referencesAnalyzer } from './analyzers/references';
import { schemaAnalyzer } from './analyzers/schema';
import { waypointLabelsAnalyzer } from './analyzers/waypoint-labels';
import { workloadSelectorsAnalyzer } from './analyzers/workload-selectors';
import { ztunnelL7Analyzer } from './analyzers/ztunnel-l7';
import { AnalysisContext, type Analyzer } from './context';
import type { AnalysisLevel, AnalysisMessage, AnalyzeOptions } from './types';

const ANALYZERS: readonly Analyzer[] = [
  schemaAnalyzer,
  referencesAnalyzer,
  waypointLabelsAnalyzer,
  workloadSelectorsAnalyzer,
  ztunnelL7Analyzer,
  authorizationValidityAnalyzer,
  policyAttachmentAnalyzer,
  peerAuthenticationAnalyzer,
  httpRoutesAnalyzer,
  canaryAnalyzer,
  negativeConditionsAnalyzer,
];

/**
 * Analyses a set of objects — the store's, with the files being applied placed after them (a
 * later object replaces an earlier one of the same kind, namespace and name) — and returns every
 * message once, in a stable order: level, code, resource, path, message.
 */
export function analyze(objects: readonly KubeObject[], options: AnalyzeOptions): AnalysisMessage[] {
  const ctx = new AnalysisContext(objects, options.rootNamespace);
  const wanted = options.namespaces ? new Set(options.namespaces) : undefined;
  const seen = new Set<string>();
  const out: AnalysisMessage[] = [];
  for (const analyzer of ANALYZERS) {
    for (const message of analyzer(ctx)) {
      const { resource } = message;
      if (wanted && !wanted.has(resource.namespace ?? (resource.kind === 'Namespace' ? resource.name : ''))) continue;
      // Routes are compiled once per parent and workloads share policies: the same finding can come up twice.
      const key = `${message.code}\u0000${resource.kind}\u0000${resource.namespace ?? ''}\u0000${resource.name}\u0000${message.path}\u0000${message.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(message);
    }
  }
  return out.sort(compareMessages);
}

const LEVEL_ORDER: Readonly<Record<AnalysisLevel, number>> = { Error: 0, Warning: 1, Info: 2 };

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareMessages(a: AnalysisMessage, b: AnalysisMessage): number {
  return (
    LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
    compare(a.code, b.code) ||
    compare(a.resource.kind, b.resource.kind) ||
    compare(a.resource.namespace ?? '', b.resource.namespace ?? '') ||
    compare(a.resource.name, b.resource.name) ||
    compare(a.path, b.path) ||
    compare(a.message, b.message)
  );
}
