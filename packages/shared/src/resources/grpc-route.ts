import { z } from 'zod';
import {
  backendObjectReferenceSchema,
  backendWeight,
  headerModifierSchema,
  localObjectReferenceSchema,
  refineFilterList,
  requestMirrorSchema,
  routeSpecCommonFields,
  valueMatch,
} from './gateway';
import { anyStatus, objectSchema, port } from './meta';

/**
 * Gateway API GRPCRoute (gateway.networking.k8s.io v1, also accepted as v1alpha2), with the
 * limits and the CEL rules of the upstream CRD: a method match names a service or a method (or
 * both), and an Exact one only in the characters a protobuf name may use.
 */

// The CRD's patterns for Exact matches: a fully qualified protobuf service, and a method name.
const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

export const grpcMethodMatchSchema = z
  .strictObject({
    type: z.enum(['Exact', 'RegularExpression']).optional(),
    service: z.string().max(1024).optional(),
    method: z.string().max(1024).optional(),
  })
  .superRefine((m, ctx) => {
    if (!m.service && !m.method) ctx.addIssue({ code: 'custom', message: "one or both of 'service' or 'method' must be specified" });
    if ((m.type ?? 'Exact') !== 'Exact') return;
    if (m.service !== undefined && !GRPC_SERVICE.test(m.service)) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'must be a gRPC service name such as helloworld.Greeter' });
    }
    if (m.method !== undefined && !GRPC_METHOD.test(m.method)) {
      ctx.addIssue({ code: 'custom', path: ['method'], message: 'must be a gRPC method name such as SayHello' });
    }
  });

export const grpcRouteMatchSchema = z.strictObject({
  method: grpcMethodMatchSchema.optional(),
  headers: z.array(valueMatch).max(16).optional(),
});

const grpcFilterFields = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  ExtensionRef: 'extensionRef',
} as const;
type GrpcRouteFilterType = keyof typeof grpcFilterFields;

export const grpcRouteFilterSchema = z
  .strictObject({
    type: z.enum(Object.keys(grpcFilterFields) as [GrpcRouteFilterType, ...GrpcRouteFilterType[]]),
    requestHeaderModifier: headerModifierSchema.optional(),
    responseHeaderModifier: headerModifierSchema.optional(),
    requestMirror: requestMirrorSchema.optional(),
    extensionRef: localObjectReferenceSchema.optional(),
  })
  .superRefine((f, ctx) => {
    const wanted = grpcFilterFields[f.type];
    for (const field of Object.values(grpcFilterFields)) {
      const present = f[field] !== undefined;
      if (field === wanted && !present) ctx.addIssue({ code: 'custom', path: [field], message: `is required when type is ${f.type}` });
      if (field !== wanted && present) ctx.addIssue({ code: 'custom', path: [field], message: `must not be set when type is ${f.type}` });
    }
  });

// The CRD allows each header modifier once per filter list.
const grpcFilterList = z
  .array(grpcRouteFilterSchema)
  .max(16)
  .superRefine(refineFilterList(['RequestHeaderModifier', 'ResponseHeaderModifier']));

export const grpcBackendRefSchema = backendObjectReferenceSchema.extend({
  port: port.optional(),
  weight: backendWeight,
  filters: grpcFilterList.optional(),
});

export const grpcRouteRuleSchema = z.strictObject({
  name: z.string().optional(),
  matches: z.array(grpcRouteMatchSchema).max(8).optional(),
  filters: grpcFilterList.optional(),
  backendRefs: z.array(grpcBackendRefSchema).max(16).optional(),
  sessionPersistence: z.looseObject({}).optional(),
});

// The CRD's "at most 128 matches across rules" holds by construction: 16 rules of at most 8.
export const grpcRouteSpecSchema = z.strictObject({
  ...routeSpecCommonFields,
  rules: z.array(grpcRouteRuleSchema).max(16).optional(),
});

export const grpcRouteSchema = objectSchema('GRPCRoute', grpcRouteSpecSchema, anyStatus);

export type GrpcRoute = z.infer<typeof grpcRouteSchema>;
export type GrpcRouteSpec = z.infer<typeof grpcRouteSpecSchema>;
export type GrpcRouteRule = z.infer<typeof grpcRouteRuleSchema>;
export type GrpcRouteMatch = z.infer<typeof grpcRouteMatchSchema>;
export type GrpcMethodMatch = z.infer<typeof grpcMethodMatchSchema>;
export type GrpcRouteFilter = z.infer<typeof grpcRouteFilterSchema>;
export type GrpcBackendRef = z.infer<typeof grpcBackendRefSchema>;
