import { z } from 'zod';
import { gatewayDuration } from './gateway';
import { anyStatus, objectSchema } from './meta';

/**
 * Ambit's own API group, for what the Gateway API leaves to implementations. An HTTPRoute rule
 * uses these through an `ExtensionRef` filter:
 *
 *   filters:
 *   - type: ExtensionRef
 *     extensionRef: { group: networking.ambit.dev, kind: FaultInjection, name: reviews-abort }
 */
export const AMBIT_NETWORKING_GROUP = 'networking.ambit.dev';

const percentage = z.number().min(0, 'must be 0-100').max(100, 'must be 0-100');

/** Delay and/or abort a share of the requests a route rule matches (Envoy's HTTP fault filter). */
export const faultInjectionSpecSchema = z
  .strictObject({
    delay: z.strictObject({ fixedDelay: gatewayDuration, percentage }).optional(),
    abort: z
      .strictObject({
        httpStatus: z.number().int().min(200, 'must be an HTTP status 200-599').max(599, 'must be an HTTP status 200-599').optional(),
        grpcStatus: z.number().int().min(0, 'must be a gRPC status 0-16').max(16, 'must be a gRPC status 0-16').optional(),
        percentage,
      })
      .refine((a) => (a.httpStatus === undefined) !== (a.grpcStatus === undefined), {
        message: 'set exactly one of httpStatus or grpcStatus',
      })
      .optional(),
  })
  .refine((f) => f.delay !== undefined || f.abort !== undefined, { message: 'set delay, abort or both' });

export const faultInjectionSchema = objectSchema('FaultInjection', faultInjectionSpecSchema, anyStatus);

export type FaultInjection = z.infer<typeof faultInjectionSchema>;
export type FaultInjectionSpec = z.infer<typeof faultInjectionSpecSchema>;

/** The ExtensionRef filter kinds Ambit implements: what route compilation accepts as known. */
export const ROUTE_EXTENSION_KINDS: readonly { group: string; kind: string }[] = [
  { group: AMBIT_NETWORKING_GROUP, kind: 'FaultInjection' },
];
