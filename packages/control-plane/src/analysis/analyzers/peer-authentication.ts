import type { PeerAuthentication } from '@ambit/shared';
import { compilePeerAuthentication, effectivePeerAuthentication, type WorkloadIdentity } from '@ambit/shared/authz';
import { CODES } from '../codes';
import { compileNoteMessages } from '../compile-notes';
import type { AnalysisContext, Analyzer } from '../context';
import { messageFor, namespaceOf, resourceOf } from '../message';
import type { AnalysisMessage } from '../types';

/**
 * PeerAuthentication in ambient, as the shared compiler sees it: DISABLE unsupported,
 * portLevelMtls without selector ignored, root-namespace selectors ignored; and policies that
 * compete at the same level (two namespace-wide ones), of which only the oldest counts.
 */
export const peerAuthenticationAnalyzer: Analyzer = (ctx) => {
  const policies = ctx.ofKind<PeerAuthentication>('PeerAuthentication');
  const out = policies.flatMap((pa) =>
    compileNoteMessages(pa, compilePeerAuthentication(pa, ctx.rootNamespace).notes, {
      MtlsDisableNotSupported: CODES.MtlsDisableNotSupported,
      PortLevelMtlsNeedsSelector: CODES.PortLevelMtlsIgnored,
      RootSelectorIgnored: CODES.RootSelectorIgnored,
      InvalidValue: CODES.SchemaValidationError,
    }),
  );
  out.push(...conflicts(ctx, policies));
  return out;
};

const LEVELS = ['mesh', 'namespace', 'workload'] as const;
type Level = (typeof LEVELS)[number];

interface Subject {
  identity: WorkloadIdentity;
  /** How to name it in a message. */
  label: string;
}

/**
 * For the root namespace, each namespace with policies, and each workload: the policies the
 * shared `effectivePeerAuthentication` places at the same level, and the one it keeps.
 */
function conflicts(ctx: AnalysisContext, policies: readonly PeerAuthentication[]): AnalysisMessage[] {
  if (policies.length < 2) return [];
  const namespaces = new Set([ctx.rootNamespace, ...policies.map(namespaceOf)]);
  const subjects: Subject[] = [
    ...[...namespaces].sort().map((namespace) => ({ identity: { namespace, labels: {} }, label: `namespace ${namespace}` })),
    ...ctx.workloads.map((w) => {
      const { kind, namespace, name } = resourceOf(w.object);
      return { identity: { namespace: w.namespace, labels: w.labels }, label: `${kind} ${namespace}/${name}` };
    }),
  ];
  const out: AnalysisMessage[] = [];
  const reported = new Set<PeerAuthentication>();
  for (const { identity, label } of subjects) {
    const relevant = policies.filter((pa) => namespaceOf(pa) === identity.namespace || namespaceOf(pa) === ctx.rootNamespace);
    for (const level of LEVELS) {
      const competing = relevant.filter((pa) => effectivePeerAuthentication([pa], identity, ctx.rootNamespace)[level] === pa);
      if (competing.length < 2) continue;
      const kept = effectivePeerAuthentication(competing, identity, ctx.rootNamespace)[level] as PeerAuthentication;
      for (const pa of competing) {
        if (pa === kept || reported.has(pa)) continue;
        reported.add(pa);
        out.push(
          messageFor(
            CODES.ConflictingPeerAuthentication,
            pa,
            level === 'workload' ? 'spec.selector' : '',
            `PeerAuthentications ${competing.map(key).sort().join(', ')} are all ${where(level, identity, label)}; ` +
              `only the oldest, ${key(kept)}, is used and this one is ignored`,
          ),
        );
      }
    }
  }
  return out;
}

function where(level: Level, identity: WorkloadIdentity, subject: string): string {
  if (level === 'mesh') return 'mesh-wide';
  if (level === 'namespace') return `namespace-wide in ${identity.namespace}`;
  return `selecting ${subject}`;
}

function key(pa: PeerAuthentication): string {
  return `${namespaceOf(pa)}/${pa.metadata.name}`;
}
