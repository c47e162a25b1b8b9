import { dnsLabel, type KindInfo, kinds, objectName, resolveKindName } from '@ambit/shared';
import { z } from 'zod';

/** Inputs of the resources.* procedures: kinds as a user types them (`svc`, `httproutes`), names as Kubernetes allows them. */

/** The largest manifest text one apply takes; the HTTP body limit is set a little above it. */
export const MAX_APPLY_BYTES = 8 * 1024 * 1024;

export const kindInput = z
  .string()
  .min(1, 'must not be empty')
  .max(100)
  .transform((value, ctx): KindInfo => {
    const info = resolveKindName(value);
    if (info) return info;
    ctx.addIssue({ code: 'custom', message: `unknown kind "${value}"; Ambit serves ${kinds.map((k) => k.kind).join(', ')}` });
    return z.NEVER;
  });

export const listInput = z.strictObject({
  kind: kindInput,
  /** Namespaced kinds only; omitted: every namespace. */
  namespace: dnsLabel.optional(),
});

/** One object; `namespace` defaults to `default` for namespaced kinds and is ignored for cluster-scoped ones. */
export const objectInput = z.strictObject({
  kind: kindInput,
  namespace: dnsLabel.optional(),
  name: objectName,
});

export const applyInput = z.strictObject({
  yaml: z.string().min(1, 'must not be empty').max(MAX_APPLY_BYTES, `must be at most ${MAX_APPLY_BYTES} characters`),
  /** For namespaced objects that name none. */
  namespace: dnsLabel.default('default'),
  dryRun: z.boolean().default(false),
});

export const deleteInput = objectInput.extend({
  /** Delete only if the object is still at this version (optimistic concurrency). */
  resourceVersion: z.string().regex(/^\d+$/, 'must be a resourceVersion as returned by resources.get').optional(),
  dryRun: z.boolean().default(false),
});

export const revertInput = objectInput.extend({
  toRevision: z.number().int().positive(),
});

/** The largest manifest the editor validates: it arrives in a GET query string, which Node caps at 16 KiB of headers. */
export const MAX_VALIDATE_CHARS = 8 * 1024;

export const validateInput = z.strictObject({
  yaml: z.string().min(1, 'must not be empty').max(MAX_VALIDATE_CHARS, `must be at most ${MAX_VALIDATE_CHARS} characters`),
  namespace: dnsLabel.default('default'),
});
