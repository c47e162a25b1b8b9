import { summarizeProxies } from '@ambit/control-plane/xds';
import { AmbitError } from '@ambit/shared/errors';
import { z } from 'zod';
import { router, viewerProcedure } from '../trpc';

const configDumpInput = z.strictObject({
  /** The proxy's xDS node id, as `proxies.list` shows it. */
  proxy: z.string().min(1).max(512),
});

export const proxiesRouter = router({
  /** proxy-status: every connected proxy and, per resource type, SYNCED / STALE / NACK / NOT SENT. */
  list: viewerProcedure.input(z.void()).query(({ ctx }) => summarizeProxies(ctx.services.controlPlane.xds.listProxies())),
  /**
   * What the control plane last pushed to one connected proxy over xDS: per type URL the versions
   * sent and acknowledged and each resource decoded to JSON. Never key material (none is pushed; key-named fields are redacted).
   */
  configDump: viewerProcedure.input(configDumpInput).query(({ ctx, input }) => {
    const dump = ctx.services.controlPlane.xds.configDump(input.proxy);
    if (!dump) throw new AmbitError('NotFound', `proxy "${input.proxy}" is not connected to the control plane`);
    return dump;
  }),
});
