import { formatPath, type KubeObject, type Service } from '@ambit/shared';
import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL, WAYPOINT_GATEWAY_CLASS } from '../../registry/labels';
import type { Labels } from '../../registry/model';
import type { WaypointResolution } from '../../registry/waypoints';
import { CODES } from '../codes';
import type { AnalysisContext, Analyzer } from '../context';
import { messageFor, namespaceOf } from '../message';
import { notFoundMessage } from '../object-refs';
import type { AnalysisMessage } from '../types';

/**
 * `istio.io/use-waypoint` on a Namespace, Service or workload: IST0101 when the named waypoint
 * does not exist, AMB0013 when it exists but will not serve that traffic — the registry's own
 * resolver says why.
 */
export const waypointLabelsAnalyzer: Analyzer = (ctx) => {
  const out: AnalysisMessage[] = [];
  for (const namespace of ctx.ofKind('Namespace')) {
    check(ctx, namespace, namespace.metadata.name, namespace.metadata.labels, 'metadata.labels', undefined, out);
  }
  for (const service of ctx.ofKind<Service>('Service')) {
    check(ctx, service, namespaceOf(service), service.metadata.labels, 'metadata.labels', () => ctx.waypointForService(service), out);
  }
  for (const workload of ctx.workloads) {
    const resolve = () => ctx.waypointForWorkload(workload);
    check(ctx, workload.object, workload.namespace, workload.labels, workload.labelsPath, resolve, out);
  }
  return out;
};

function check(
  ctx: AnalysisContext,
  object: KubeObject,
  namespace: string,
  labels: Labels | undefined,
  labelsPath: string,
  resolve: (() => WaypointResolution) | undefined,
  out: AnalysisMessage[],
): void {
  const name = labels?.[USE_WAYPOINT_LABEL];
  if (name === undefined || name === '' || name === 'none') return;
  const path = formatPath([...labelsPath.split('.'), USE_WAYPOINT_LABEL]);
  const waypointNamespace = labels?.[USE_WAYPOINT_NAMESPACE_LABEL] || namespace;
  const gateway = ctx.findGateway(waypointNamespace, name);
  if (!gateway) {
    out.push(messageFor(CODES.ReferencedResourceNotFound, object, path, notFoundMessage(ctx, 'waypoint', waypointNamespace, name)));
    return;
  }
  const className = gateway.spec?.gatewayClassName;
  if (className !== WAYPOINT_GATEWAY_CLASS) {
    out.push(
      messageFor(
        CODES.WaypointNotUsable,
        object,
        path,
        `Gateway ${waypointNamespace}/${name} is not a waypoint: its gatewayClassName is ${className}, not ${WAYPOINT_GATEWAY_CLASS}`,
      ),
    );
    return;
  }
  const problem = resolve?.().problem;
  if (problem) out.push(messageFor(CODES.WaypointNotUsable, object, path, `${problem}; this traffic does not go through a waypoint`));
}
