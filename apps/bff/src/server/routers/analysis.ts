import { dnsLabel } from '@ambit/shared';
import { z } from 'zod';
import { analyzeMesh } from '../mesh/analysis';
import { router, viewerProcedure } from '../trpc';

export const analysisRouter = router({
  /** istioctl-analyze-style messages about the stored configuration: one namespace (and the Namespace itself), or all. */
  run: viewerProcedure.input(z.strictObject({ namespace: dnsLabel.optional() }).optional()).query(({ ctx, input }) => {
    const namespace = input?.namespace;
    return { messages: analyzeMesh(ctx.services.controlPlane, namespace ? { namespaces: [namespace] } : {}) };
  }),
});
