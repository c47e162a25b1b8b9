import type { AuthorizationPolicy, Canary, HttpRoute, KubeObject } from '@ambit/shared';
import type { GrpcRoute } from '@ambit/shared/resources/grpc-route';
import { CODES } from '../codes';
import type { AnalysisContext, Analyzer } from '../context';
import { isClusterScoped, messageFor, namespaceOf } from '../message';
import {
  notFoundMessage,
  type ObjectReference,
  parentTargetOf,
  policyTargetKind,
  policyTargetRefs,
  referencedExists,
} from '../object-refs';
import type { AnalysisMessage } from '../types';

/**
 * IST0101 for references to objects that do not exist: an object's own namespace, HTTPRoute and
 * GRPCRoute parentRefs, policy targetRefs, a Canary's target and gatewayRefs. (Backends are the route
 * compiler's to judge; waypoint labels have their own analyzer.)
 */
export const referencesAnalyzer: Analyzer = (ctx) => {
  const out: AnalysisMessage[] = [];
  for (const object of ctx.objects) {
    const namespace = namespaceOf(object);
    if (!isClusterScoped(object.kind) && ctx.namespaceMissing(namespace)) {
      out.push(messageFor(CODES.ReferencedResourceNotFound, object, 'metadata.namespace', `Referenced Namespace ${namespace} not found`));
    }
  }
  for (const route of [...ctx.ofKind<HttpRoute>('HTTPRoute'), ...ctx.ofKind<GrpcRoute>('GRPCRoute')]) {
    (route.spec.parentRefs ?? []).forEach((ref, i) => {
      checkParent(ctx, route, ref, `spec.parentRefs[${i}]`, out);
    });
  }
  for (const policy of ctx.ofKind<AuthorizationPolicy>('AuthorizationPolicy')) {
    const namespace = namespaceOf(policy);
    for (const { ref, path } of policyTargetRefs(policy.spec)) {
      // Other kinds, and other namespaces, are the attachment analyzer's: invalid there, not missing.
      const kind = policyTargetKind(ref);
      if ((kind !== 'Service' && kind !== 'Gateway') || (ref.namespace ?? namespace) !== namespace) continue;
      const target = { kind, namespace, name: ref.name } as const;
      if (!referencedExists(ctx, target)) {
        out.push(messageFor(CODES.ReferencedResourceNotFound, policy, path, notFoundMessage(ctx, kind, target.namespace, target.name)));
      }
    }
  }
  for (const canary of ctx.ofKind<Canary>('Canary')) {
    const namespace = namespaceOf(canary);
    const { targetRef } = canary.spec;
    if (targetRef.kind !== 'Deployment') {
      out.push(
        messageFor(
          CODES.UnsupportedReferenceKind,
          canary,
          'spec.targetRef.kind',
          `a Canary rolls out a Deployment; Ambit has no ${targetRef.kind} kind to roll out`,
        ),
      );
    } else if (!ctx.find('Deployment', namespace, targetRef.name)) {
      out.push(
        messageFor(
          CODES.ReferencedResourceNotFound,
          canary,
          'spec.targetRef',
          notFoundMessage(ctx, 'Deployment', namespace, targetRef.name),
        ),
      );
    }
    (canary.spec.service.gatewayRefs ?? []).forEach((ref, i) => {
      checkParent(ctx, canary, ref as ObjectReference, `spec.service.gatewayRefs[${i}]`, out);
    });
  }
  return out;
};

function checkParent(ctx: AnalysisContext, object: KubeObject, ref: ObjectReference, path: string, out: AnalysisMessage[]): void {
  const target = parentTargetOf(ref, namespaceOf(object));
  if ('unsupported' in target) {
    out.push(
      messageFor(
        CODES.UnsupportedReferenceKind,
        object,
        `${path}.kind`,
        `routes attach to a Gateway or a Service; Ambit has no parent of kind ${target.unsupported}`,
      ),
    );
  } else if (!referencedExists(ctx, target)) {
    out.push(messageFor(CODES.ReferencedResourceNotFound, object, path, notFoundMessage(ctx, target.kind, target.namespace, target.name)));
  }
}
