/**
 * Fault injection through an HTTPRoute `ExtensionRef` filter. The Gateway API has no fault
 * filter, so a rule names Ambit's `networking.ambit.dev/v1alpha1 FaultInjection`; translators
 * resolve it (from the snapshot, unless a resolver is given) and emit Envoy's
 * `envoy.filters.http.fault` per-route config (grpc-js-xds honours it too).
 */
import { AMBIT_NETWORKING_GROUP, ROUTE_EXTENSION_KINDS } from '@ambit/shared';
import { parseGatewayDuration } from '@ambit/shared/routing';
import type { MeshSnapshot } from '../registry/model';
import { type Any, HTTP_FAULT, packEnvoyResource, type RouteFault } from '../xds/index';
import { duration, type EnvoyObject, fractionalPercent } from './envoy-messages';

export interface ExtensionReference {
  group: string;
  kind: string;
  name: string;
}

export interface FaultResolver {
  /** The ExtensionRef kinds this resolver understands; route compilation refuses others. */
  kinds: readonly { group: string; kind: string }[];
  /** The fault an ExtensionRef (in the route's namespace) stands for; undefined when it does not exist. */
  resolve(ref: ExtensionReference, namespace: string): RouteFault | undefined;
}

/** envoy.extensions.filters.http.fault.v3.HTTPFault, packed for typed_per_filter_config. */
export function httpFault(fault: RouteFault): Any {
  const out: EnvoyObject = {};
  if (fault.delay && fault.delay.fixedDelayMs > 0) {
    out.delay = { fixedDelay: duration(fault.delay.fixedDelayMs), percentage: fractionalPercent(fault.delay.percent) };
  }
  if (fault.abort) {
    const abort: EnvoyObject = { percentage: fractionalPercent(fault.abort.percent) };
    if (fault.abort.grpcStatus !== undefined) abort.grpcStatus = fault.abort.grpcStatus;
    else abort.httpStatus = fault.abort.httpStatus ?? 503;
    out.abort = abort;
  }
  return packEnvoyResource(HTTP_FAULT, out);
}

/** Resolves ExtensionRefs to the FaultInjection objects in the snapshot. */
export function snapshotFaultResolver(snapshot: MeshSnapshot): FaultResolver {
  return {
    kinds: ROUTE_EXTENSION_KINDS,
    resolve(ref, namespace) {
      if (ref.group !== AMBIT_NETWORKING_GROUP || ref.kind !== 'FaultInjection') return undefined;
      const spec = snapshot.faults.get(`${namespace}/${ref.name}`)?.spec;
      if (!spec) return undefined;
      const fault: RouteFault = {};
      if (spec.delay) fault.delay = { fixedDelayMs: parseGatewayDuration(spec.delay.fixedDelay), percent: spec.delay.percentage };
      if (spec.abort) {
        fault.abort = {
          percent: spec.abort.percentage,
          ...(spec.abort.grpcStatus !== undefined ? { grpcStatus: spec.abort.grpcStatus } : { httpStatus: spec.abort.httpStatus ?? 503 }),
        };
      }
      return fault;
    },
  };
}
