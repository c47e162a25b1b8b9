import { z } from 'zod';
import { anyStatus, dnsLabel, objectSchema, port } from './meta';

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
export const hostname = z
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
export const headerName = z.string().min(1).max(256).regex(headerNamePattern, 'is not a valid HTTP header name');

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

export const valueMatch = z.strictObject({
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
 * A header name a filter sets or adds: Gateway API's HTTPHeaderName. A `:` name is not one (the CRD
 * refuses it too); Host, framing and hop-by-hop names pass, as the CRD lets them, and the route
 * compiler warns that they have no effect (a request's Host is an authority rewrite, as Istio).
 */
const settableHeaderName = z
  .string()
  .min(1)
  .max(256)
  .superRefine((name, ctx) => {
    if (name.startsWith(':')) {
      const message = `${name} is an HTTP/2 pseudo-header, not a header a filter can set; a URLRewrite changes the path or the host`;
      ctx.addIssue({ code: 'custom', message });
    } else if (!headerNamePattern.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid HTTP header name' });
    }
  });

// A Host set or added becomes the request's authority: a host name or IP literal with an optional port, nothing else.
const authority =
  /^([A-Za-z0-9_]([-A-Za-z0-9_.]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$/;

const headerToWrite = z.strictObject({ name: settableHeaderName, value: headerFieldValue }).superRefine((h, ctx) => {
  if (h.name.toLowerCase() === 'host' && !authority.test(h.value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be a host name or IP address with an optional port (1–65535)' });
  }
});

// `remove` names have no pattern in Gateway API's CRD: any name is accepted, and one a filter cannot remove is warned about.
export const headerModifierSchema = z.strictObject({
  set: z.array(headerToWrite).max(16).optional(),
  add: z.array(headerToWrite).max(16).optional(),
  remove: z.array(z.string().min(1).max(256)).max(16).optional(),
});

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

export const requestMirrorSchema = z.strictObject({
  backendRef: backendObjectReferenceSchema,
  percent: z.number().int().min(0).max(100).optional(),
  fraction: z.strictObject({ numerator: z.number().int().min(0), denominator: z.number().int().min(1).optional() }).optional(),
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
    requestHeaderModifier: headerModifierSchema.optional(),
    responseHeaderModifier: headerModifierSchema.optional(),
    requestMirror: requestMirrorSchema.optional(),
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

/** A backendRef's share: 0 (none) to 1,000,000, as the CRDs bound it. */
export const backendWeight = z.number().int().min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').optional();

/**
 * The CRD's rules for a filter list: each of `once` at most once ("… filter cannot be repeated"),
 * and a RequestRedirect never beside a URLRewrite. The Kubernetes API refuses such a list; so does
 * `ambit apply`, saying which entry.
 */
export function refineFilterList(once: readonly string[]) {
  return (filters: readonly { type: string }[], ctx: z.RefinementCtx): void => {
    for (const type of once) {
      const at = filters.map((f, i) => (f.type === type ? i : -1)).filter((i) => i >= 0);
      if (at.length > 1) ctx.addIssue({ code: 'custom', path: [at[1] as number, 'type'], message: `${type} filter cannot be repeated` });
    }
    const redirect = filters.findIndex((f) => f.type === 'RequestRedirect');
    if (redirect >= 0 && filters.some((f) => f.type === 'URLRewrite')) {
      ctx.addIssue({ code: 'custom', path: [redirect, 'type'], message: 'RequestRedirect and URLRewrite cannot be used together' });
    }
  };
}

const httpFilterList = z
  .array(httpRouteFilterSchema)
  .max(16)
  .superRefine(refineFilterList(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite']));

export const httpBackendRefSchema = z.strictObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: port.optional(),
  weight: backendWeight,
  filters: httpFilterList.optional(),
});

export const httpRouteRuleSchema = z.strictObject({
  name: z.string().optional(),
  matches: z.array(httpRouteMatchSchema).max(64).optional(),
  filters: httpFilterList.optional(),
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

/** Gateway API's CommonRouteSpec plus the `hostnames` HTTPRoute and GRPCRoute both have. */
export const routeSpecCommonFields = {
  parentRefs: z.array(parentReferenceSchema).max(32).optional(),
  hostnames: z.array(hostname).max(16).optional(),
};

export const httpRouteSpecSchema = z.strictObject({
  ...routeSpecCommonFields,
  rules: z.array(httpRouteRuleSchema).max(16).optional(),
});

export const httpRouteSchema = objectSchema('HTTPRoute', httpRouteSpecSchema, anyStatus);

// Gateway API `Group` (empty for the core group) and `Kind`, as the CRDs pattern them.
const apiGroup = z
  .string()
  .max(253)
  .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be an API group ("" for the core group)');
const apiKind = z
  .string()
  .min(1, 'must not be empty')
  .max(63)
  .regex(/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, 'must be a kind such as HTTPRoute or Service');

/**
 * ReferenceGrant: lets objects of the `from` kinds in the `from` namespaces refer to objects of the
 * `to` kinds (all of them, or the one named) in the grant's own namespace. Entries OR; 1–16 each.
 */
export const referenceGrantSpecSchema = z.strictObject({
  from: z
    .array(z.strictObject({ group: apiGroup, kind: apiKind, namespace: dnsLabel }))
    .min(1, 'a ReferenceGrant needs at least one from entry')
    .max(16, 'at most 16 from entries'),
  to: z
    .array(z.strictObject({ group: apiGroup, kind: apiKind, name: z.string().min(1).max(253).optional() }))
    .min(1, 'a ReferenceGrant needs at least one to entry')
    .max(16, 'at most 16 to entries'),
});

// The CRD has no status; any written is kept as it is.
export const referenceGrantSchema = objectSchema('ReferenceGrant', referenceGrantSpecSchema, anyStatus);

export type Gateway = z.infer<typeof gatewaySchema>;
export type Listener = z.infer<typeof listenerSchema>;
export type ParentReference = z.infer<typeof parentReferenceSchema>;
export type HttpRoute = z.infer<typeof httpRouteSchema>;
export type HttpRouteSpec = z.infer<typeof httpRouteSpecSchema>;
export type HttpRouteRule = z.infer<typeof httpRouteRuleSchema>;
export type HttpRouteMatch = z.infer<typeof httpRouteMatchSchema>;
export type HttpRouteFilter = z.infer<typeof httpRouteFilterSchema>;
export type HttpBackendRef = z.infer<typeof httpBackendRefSchema>;
export type HttpHeaderModifier = z.infer<typeof headerModifierSchema>;
export type HttpMethod = (typeof httpMethods)[number];
export type ReferenceGrant = z.infer<typeof referenceGrantSchema>;
export type ReferenceGrantSpec = z.infer<typeof referenceGrantSpecSchema>;
