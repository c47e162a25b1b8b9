import { z } from 'zod';
import { anyStatus, objectSchema, port } from './meta';

/**
 * Gateway API kinds (gateway.networking.k8s.io v1, also accepted as v1beta1). Field names,
 * enums and limits follow the upstream CRDs, including the rules their CEL validations enforce
 * (a filter's type must come with its matching field).
 */

/** Gateway API `Duration`: up to four number+unit pairs, e.g. `1h`, `10s`, `500ms`, `1m30s`. */
export const gatewayDuration = z
  .string()
  .regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, 'must be a Gateway API duration such as 10s, 500ms or 1m30s');

// Gateway API `Hostname` (RFC 1123 labels, lower case, optionally a leading `*.`) and `PreciseHostname` (no wildcard).
const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'is not a valid hostname (RFC 1123, lower case)');
const preciseHostname = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'is not a valid hostname (RFC 1123, lower case, no wildcard)',
  );
const headerNamePattern = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const headerName = z.string().min(1).max(256).regex(headerNamePattern, 'is not a valid HTTP header name');

export const parentReferenceSchema = z.strictObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().min(1),
  sectionName: z.string().optional(),
  port: port.optional(),
});

export const listenerSchema = z.strictObject({
  name: z.string().min(1),
  hostname: hostname.optional(),
  port,
  protocol: z.string().min(1),
  tls: z.looseObject({}).optional(),
  allowedRoutes: z.looseObject({}).optional(),
});

export const gatewaySpecSchema = z.strictObject({
  gatewayClassName: z.string().min(1),
  listeners: z.array(listenerSchema).min(1, 'a Gateway needs at least one listener'),
  addresses: z.array(z.strictObject({ type: z.string().optional(), value: z.string() })).optional(),
  infrastructure: z.looseObject({}).optional(),
});

export const gatewaySchema = objectSchema('Gateway', gatewaySpecSchema, anyStatus);

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

export const pathMatchSchema = z
  .strictObject({
    type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).optional(),
    value: z.string().max(1024).optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.type ?? 'PathPrefix') !== 'RegularExpression' && m.value !== undefined && !m.value.startsWith('/')) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be an absolute path starting with "/"' });
    }
  });

const valueMatch = z.strictObject({
  type: z.enum(['Exact', 'RegularExpression']).optional(),
  name: headerName,
  value: z.string().max(4096),
});

export const httpRouteMatchSchema = z.strictObject({
  path: pathMatchSchema.optional(),
  headers: z.array(valueMatch).max(16).optional(),
  queryParams: z.array(valueMatch).max(16).optional(),
  method: z.enum(httpMethods).optional(),
});

// Gateway API's HTTPHeader value (1–4096); written into requests and replies, so no CR, LF or other control byte (RFC 9110 field-value).
const headerFieldValue = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must be Latin-1 text without control characters such as CR or LF');

/**
 * A header name a header filter may touch. Envoy refuses `:`-prefixed names and `host` in
 * request/response_headers_to_add and *_to_remove (HeaderUtility::isModifiableHeader: ":-prefixed
 * or host headers may not be modified"), and Istio's validation follows it, except that a request
 * set/add of Host is accepted as the authority rewrite (`hostRewrite`).
 */
function modifiableHeaderName(hostRewrite: boolean) {
  return z
    .string()
    .min(1)
    .max(256)
    .superRefine((name, ctx) => {
      if (name.startsWith(':')) {
        ctx.addIssue({ code: 'custom', message: `${name} is an HTTP/2 pseudo-header; a header filter may not modify it (use URLRewrite)` });
      } else if (!hostRewrite && name.toLowerCase() === 'host') {
        ctx.addIssue({ code: 'custom', message: 'the Host header may not be modified here; rewrite it with a URLRewrite hostname' });
      } else if (!headerNamePattern.test(name)) {
        ctx.addIssue({ code: 'custom', message: 'is not a valid HTTP header name' });
      }
    });
}

// Host set/add becomes the request's authority: a hostname or IP literal with an optional port, nothing else.
const authority = /^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/;

function headerModifierSchema(direction: 'request' | 'response') {
  const name = modifiableHeaderName(direction === 'request');
  const header = z.strictObject({ name, value: headerFieldValue }).superRefine((h, ctx) => {
    if (h.name.toLowerCase() === 'host' && !authority.test(h.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be a host name or IP address with an optional port' });
    }
  });
  return z.strictObject({
    set: z.array(header).max(16).optional(),
    add: z.array(header).max(16).optional(),
    remove: z.array(modifiableHeaderName(false)).max(16).optional(),
  });
}
export const requestHeaderModifierSchema = headerModifierSchema('request');
export const responseHeaderModifierSchema = headerModifierSchema('response');

const pathModifier = z
  .strictObject({
    type: z.enum(['ReplaceFullPath', 'ReplacePrefixMatch']),
    replaceFullPath: z.string().max(1024).optional(),
    replacePrefixMatch: z.string().max(1024).optional(),
  })
  .superRefine((p, ctx) => {
    const field = p.type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
    if (p[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required when type is ${p.type}` });
  });

export const backendObjectReferenceSchema = z.strictObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: port.optional(),
});

export const localObjectReferenceSchema = z.strictObject({
  group: z.string(),
  kind: z.string().min(1),
  name: z.string().min(1),
});

const filterFields = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
  ExternalAuth: 'externalAuth',
} as const;
export type HttpRouteFilterType = keyof typeof filterFields;

export const httpRouteFilterSchema = z
  .strictObject({
    type: z.enum(Object.keys(filterFields) as [HttpRouteFilterType, ...HttpRouteFilterType[]]),
    requestHeaderModifier: requestHeaderModifierSchema.optional(),
    responseHeaderModifier: responseHeaderModifierSchema.optional(),
    requestMirror: z
      .strictObject({
        backendRef: backendObjectReferenceSchema,
        percent: z.number().int().min(0).max(100).optional(),
        fraction: z.strictObject({ numerator: z.number().int().min(0), denominator: z.number().int().min(1).optional() }).optional(),
      })
      .optional(),
    requestRedirect: z
      .strictObject({
        scheme: z.enum(['http', 'https']).optional(),
        hostname: preciseHostname.optional(),
        path: pathModifier.optional(),
        port: port.optional(),
        statusCode: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)]).optional(),
      })
      .optional(),
    urlRewrite: z.strictObject({ hostname: preciseHostname.optional(), path: pathModifier.optional() }).optional(),
    extensionRef: localObjectReferenceSchema.optional(),
    cors: z.looseObject({}).optional(),
    externalAuth: z.looseObject({}).optional(),
  })
  .superRefine((f, ctx) => {
    const wanted = filterFields[f.type];
    for (const field of Object.values(filterFields)) {
      const present = f[field] !== undefined;
      if (field === wanted && !present) ctx.addIssue({ code: 'custom', path: [field], message: `is required when type is ${f.type}` });
      if (field !== wanted && present) ctx.addIssue({ code: 'custom', path: [field], message: `must not be set when type is ${f.type}` });
    }
  });

export const httpBackendRefSchema = z.strictObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: port.optional(),
  weight: z.number().int().min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').optional(),
  filters: z.array(httpRouteFilterSchema).max(16).optional(),
});

export const httpRouteRuleSchema = z.strictObject({
  name: z.string().optional(),
  matches: z.array(httpRouteMatchSchema).max(64).optional(),
  filters: z.array(httpRouteFilterSchema).max(16).optional(),
  backendRefs: z.array(httpBackendRefSchema).max(16).optional(),
  timeouts: z.strictObject({ request: gatewayDuration.optional(), backendRequest: gatewayDuration.optional() }).optional(),
  retry: z
    .strictObject({
      codes: z.array(z.number().int().min(400).max(599)).optional(),
      attempts: z.number().int().min(0).optional(),
      backoff: gatewayDuration.optional(),
    })
    .optional(),
  sessionPersistence: z.looseObject({}).optional(),
});

export const httpRouteSpecSchema = z.strictObject({
  parentRefs: z.array(parentReferenceSchema).max(32).optional(),
  hostnames: z.array(hostname).max(16).optional(),
  rules: z.array(httpRouteRuleSchema).max(16).optional(),
});

export const httpRouteSchema = objectSchema('HTTPRoute', httpRouteSpecSchema, anyStatus);

export type Gateway = z.infer<typeof gatewaySchema>;
export type Listener = z.infer<typeof listenerSchema>;
export type ParentReference = z.infer<typeof parentReferenceSchema>;
export type HttpRoute = z.infer<typeof httpRouteSchema>;
export type HttpRouteSpec = z.infer<typeof httpRouteSpecSchema>;
export type HttpRouteRule = z.infer<typeof httpRouteRuleSchema>;
export type HttpRouteMatch = z.infer<typeof httpRouteMatchSchema>;
export type HttpRouteFilter = z.infer<typeof httpRouteFilterSchema>;
export type HttpBackendRef = z.infer<typeof httpBackendRefSchema>;
export type HttpHeaderModifier = z.infer<typeof requestHeaderModifierSchema>;
export type HttpMethod = (typeof httpMethods)[number];
