import { z } from 'zod';
import { podTemplateSchema } from './core';
import { anyStatus, labelSelector, objectSchema } from './meta';

/** apps/v1 Deployment: the subset the embedded mesh runs (replicas, selector, pod template). */
export const deploymentSchema = objectSchema(
  'Deployment',
  z.looseObject({
    replicas: z.number().int().min(0, 'must be 0 or more').optional(),
    selector: labelSelector,
    template: podTemplateSchema,
  }),
  anyStatus,
);

export type Deployment = z.infer<typeof deploymentSchema>;
