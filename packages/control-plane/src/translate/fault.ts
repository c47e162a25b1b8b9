/**
 * Fault injection through an HTTPRoute `ExtensionRef` filter. The Gateway API has no fault
 * filter, so a rule names an implementation resource; that kind is not in Ambit's model yet, so
 * translators take a resolver and emit what it returns as Envoy's `envoy.filters.http.fault`
 * per-route config (grpc-js-xds honours it too).
 */
import { type Any, packEnvoyResource } from '../xds/index';
import { duration, type EnvoyObject, fractionalPercent } from './envoy-messages';

export interface FaultInjection {
  /** Delay this share of requests by `fixedDelayMs`. */
  delay?: { fixedDelayMs: number; percent: number };
  /** Answer this share of requests with an HTTP status (or a gRPC status) without forwarding them. */
  abort?: { httpStatus?: number; grpcStatus?: number; percent: number };
}

export interface ExtensionReference {
  group: string;
  kind: string;
  name: string;
}

export interface FaultResolver {
  /** The ExtensionRef kinds this resolver understands; route compilation refuses others. */
  kinds: readonly { group: string; kind: string }[];
  /** The fault an ExtensionRef (in the route's namespace) stands for; undefined when it does not exist. */
  resolve(ref: ExtensionReference, namespace: string): FaultInjection | undefined;
}

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const HTTP_FAULT = 'envoy.extensions.filters.http.fault.v3.HTTPFault';

/** envoy.extensions.filters.http.fault.v3.HTTPFault, packed for typed_per_filter_config. */
export function httpFault(fault: FaultInjection): Any {
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
