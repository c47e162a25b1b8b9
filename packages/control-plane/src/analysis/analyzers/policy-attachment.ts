import type { AuthorizationPolicy } from '@ambit/shared';
import { policyTargetOf } from '@ambit/shared/authz';
import { GATEWAY_NAME_LABEL, WAYPOINT_GATEWAY_CLASS } from '../../registry/labels';
import { CODES, type CodeInfo } from '../codes';
import type { AnalysisContext, Analyzer, Workload } from '../context';
import { messageFor, namespaceOf } from '../message';
import { type ObjectReference, policyTargetKind, policyTargetRefs } from '../object-refs';
import type { AnalysisMessage } from '../types';

/**
 * Where an AuthorizationPolicy takes effect. `targetRefs` must name a waypoint, a Service a
 * waypoint serves, or the waypoint GatewayClass (IST0106 / IST0167 otherwise); a `selector` on
 * a waypoint's own pods, or on workloads behind a waypoint while asking for HTTP attributes,
 * belongs in targetRefs (IST0166). Waypoint binding is the registry's resolver.
 */
export const policyAttachmentAnalyzer: Analyzer = (ctx) => {
  const out: AnalysisMessage[] = [];
  for (const policy of ctx.ofKind<AuthorizationPolicy>('AuthorizationPolicy')) {
    if (policyTargetOf(policy).targetRefs) {
      for (const { ref, path } of policyTargetRefs(policy.spec)) checkTargetRef(ctx, policy, ref, path, out);
    } else {
      checkSelector(ctx, policy, out);
    }
  }
  return out;
};

function checkTargetRef(
  ctx: AnalysisContext,
  policy: AuthorizationPolicy,
  ref: ObjectReference,
  path: string,
  out: AnalysisMessage[],
): void {
  const namespace = namespaceOf(policy);
  const report = (info: CodeInfo, at: string, text: string) => out.push(messageFor(info, policy, at, text));
  if (ref.namespace !== undefined && ref.namespace !== namespace) {
    report(CODES.SchemaValidationError, `${path}.namespace`, `targetRefs must name an object in the policy's own namespace ${namespace}`);
    return;
  }
  const kind = policyTargetKind(ref);
  if (kind === 'Gateway') {
    const gateway = ctx.findGateway(namespace, ref.name);
    const className = gateway?.spec?.gatewayClassName;
    if (gateway && className !== WAYPOINT_GATEWAY_CLASS) {
      report(
        CODES.IneffectivePolicy,
        path,
        `The policy has no impact: Gateway ${namespace}/${ref.name} is not a waypoint (gatewayClassName ${className}), and Ambit enforces targetRefs policies at waypoints`,
      );
    }
  } else if (kind === 'GatewayClass') {
    if (namespace !== ctx.rootNamespace) {
      report(
        CODES.IneffectivePolicy,
        path,
        `The policy has no impact: only policies in the root namespace ${ctx.rootNamespace} may target a GatewayClass`,
      );
    } else if (ref.name !== WAYPOINT_GATEWAY_CLASS) {
      report(
        CODES.IneffectivePolicy,
        path,
        `The policy has no impact: no waypoint has class ${ref.name}; waypoints are ${WAYPOINT_GATEWAY_CLASS}`,
      );
    }
  } else if (kind === 'Service') {
    const service = ctx.findService(namespace, ref.name);
    if (service && !ctx.waypointForService(service).binding) {
      report(
        CODES.IneffectivePolicy,
        path,
        `The policy has no impact: no waypoint serves Service ${namespace}/${ref.name}, and ztunnel does not enforce policies attached with targetRefs; label the Service or its namespace istio.io/use-waypoint`,
      );
    }
  } else if (kind === 'ServiceEntry') {
    report(CODES.UnsupportedReferenceKind, `${path}.kind`, 'Ambit has no ServiceEntry kind: the policy has no effect');
  } else {
    report(
      CODES.SchemaValidationError,
      `${path}.kind`,
      `targetRefs kind ${ref.group ? `${ref.kind}.${ref.group}` : ref.kind} is not supported: a policy attaches to a Gateway, GatewayClass, Service or ServiceEntry`,
    );
  }
}

function checkSelector(ctx: AnalysisContext, policy: AuthorizationPolicy, out: AnalysisMessage[]): void {
  const selector = policy.spec.selector?.matchLabels;
  if (!selector || Object.keys(selector).length === 0) return;
  const selected = ctx.selectedWorkloads(selector, namespaceOf(policy), namespaceOf(policy) === ctx.rootNamespace);

  const waypointPods = [...new Set(selected.map((w) => w.labels[GATEWAY_NAME_LABEL]).filter((name) => name !== undefined))];
  for (const name of waypointPods.sort()) {
    out.push(
      messageFor(
        CODES.IneffectiveSelector,
        policy,
        'spec.selector',
        `Ineffective selector on waypoint ${name}. Use targetRefs (kind: Gateway, name: ${name}) instead`,
      ),
    );
  }

  // ztunnel cannot see HTTP attributes; the waypoint in front of these workloads could.
  const needsHttp = ctx.authorization(policy).notes.some((n) => n.code === 'AllowRuleDropped' || n.code === 'DenyRuleWidened');
  if (!needsHttp) return;
  const waypoints = [...new Set(selected.flatMap((w) => waypointsServing(ctx, w)))].sort();
  if (waypoints.length === 0) return;
  out.push(
    messageFor(
      CODES.IneffectiveSelector,
      policy,
      'spec.selector',
      `The selected workloads are served by waypoint ${waypoints.join(', ')}: ztunnel enforces this policy without its HTTP attributes, ` +
        "and sees the waypoint's identity as the source of traffic through it. Use targetRefs to the Service (or the waypoint's Gateway) instead",
    ),
  );
}

/** Keys of the waypoints that traffic to the workload passes: its own, and those of the Services selecting it. */
function waypointsServing(ctx: AnalysisContext, workload: Workload): string[] {
  const keys: string[] = [];
  const own = ctx.waypointForWorkload(workload).binding;
  if (own) keys.push(own.key);
  for (const service of ctx.servicesOf(workload)) {
    const binding = ctx.waypointForService(service).binding;
    if (binding) keys.push(binding.key);
  }
  return keys;
}
