import { summarizeProxies } from '@ambit/control-plane/xds';
import { z } from 'zod';
import { meshOverview } from '../mesh/overview';
import { router, viewerProcedure } from '../trpc';

/** The overview page's numbers: from the registry snapshot and the xDS server's proxy list. */
export const meshRouter = router({
  overview: viewerProcedure.input(z.void()).query(({ ctx }) => {
    const { registry, xds } = ctx.services.controlPlane;
    return meshOverview(registry.snapshot(), summarizeProxies(xds.listProxies()));
  }),
});
