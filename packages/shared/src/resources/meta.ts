import { z } from 'zod';

/**
 * Kubernetes object metadata and the small building blocks every kind uses. Fields the server
 * owns (uid, resourceVersion, generation, creationTimestamp) are accepted on input so that
 * `get -o yaml` output re-applies cleanly; the store decides their values.
 */

// DNS-1123 subdomain: what Kubernetes requires of most object names.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// DNS-1123 label: namespaces and service names.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Label keys: optional DNS prefix and a name segment of up to 63 characters.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const objectName = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(DNS1123_SUBDOMAIN, 'must be a lowercase DNS-1123 subdomain (a-z, 0-9, "-", ".")');

export const dnsLabel = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(DNS1123_LABEL, 'must be a lowercase DNS-1123 label (a-z, 0-9, "-")');

export const labelMap = z.record(
  z.string().regex(LABEL_KEY, 'is not a valid label key'),
  z.string().max(63, 'label values are at most 63 characters').regex(LABEL_VALUE, 'is not a valid label value'),
);

export const annotationMap = z.record(z.string(), z.string());

export const objectMeta = z.looseObject({
  name: objectName,
  namespace: dnsLabel.optional(),
  labels: labelMap.optional(),
  annotations: annotationMap.optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
});

export const port = z.number().int().min(1, 'must be 1-65535').max(65535, 'must be 1-65535');

/** `matchLabels` selectors, as Kubernetes and Istio's WorkloadSelector write them. */
export const labelSelector = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** Istio's `WorkloadSelector`: matchLabels only. */
export const workloadSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()),
});

/** Istio's `PolicyTargetReference`: what a policy attaches to with `targetRef(s)`. */
export const policyTargetReference = z.strictObject({
  group: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
});

/** Builds the schema of a whole object of one kind: apiVersion, kind, metadata, spec, status. */
export function objectSchema<Spec extends z.ZodType, Status extends z.ZodType>(kind: string, spec: Spec, status: Status) {
  return z.looseObject({
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata: objectMeta,
    spec,
    status: status.optional(),
  });
}

/** Status written by controllers; any shape is kept unless the kind types it. */
export const anyStatus = z.record(z.string(), z.unknown());

export type ObjectMeta = z.infer<typeof objectMeta>;

/** What every stored object has, whatever its kind. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [extra: string]: unknown;
}
