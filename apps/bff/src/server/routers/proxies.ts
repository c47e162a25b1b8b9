import { summarizeProxies } from '@ambit/control-plane/xds';
import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';

export const proxiesRouter = router({
  /** proxy-status: every connected proxy and, per resource type, SYNCED / STALE / NACK / NOT SENT. */
  list: viewerProcedure.input(z.void()).query(({ ctx }) => summarizeProxies(ctx.services.controlPlane.xds.listProxies())),
});
