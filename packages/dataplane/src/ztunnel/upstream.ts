import net, { type Socket } from 'node:net';
import { type BridgeSide, bridge } from '../hbone/bridge';
import type { ConnectionResult } from '../metrics/tcp';

/**
 * The last hop of a proxied connection: a plain TCP connection to a workload (inbound) or to a
 * destination outside the mesh (passthrough), bridged to the connection it serves once it is up.
 */

export interface UpstreamTarget {
  host: string;
  port: number;
  /** Source address to connect from (the node's address, so workloads see their ztunnel). */
  localAddress?: string;
  timeoutMs: number;
}

export interface UpstreamHooks {
  /** Before any byte flows (inbound answers 200 here). */
  established?(upstream: Socket): void;
  /** The connect failed or timed out (inbound answers 503, passthrough resets the client). */
  failed(error: Error): void;
}

export function connectUpstream(target: UpstreamTarget, downstream: BridgeSide, result: ConnectionResult, hooks: UpstreamHooks): void {
  new UpstreamAttempt(target, downstream, result, hooks);
}

class UpstreamAttempt {
  private readonly upstream: Socket;
  private settled = false;

  constructor(
    target: UpstreamTarget,
    private readonly downstream: BridgeSide,
    private readonly result: ConnectionResult,
    private readonly hooks: UpstreamHooks,
  ) {
    const options: net.NetConnectOpts = { host: target.host, port: target.port, allowHalfOpen: true, noDelay: true };
    if (target.localAddress) options.localAddress = target.localAddress;
    this.upstream = net.connect(options);
    this.upstream.setNoDelay(true);
    this.upstream.setTimeout(target.timeoutMs);
    this.upstream.once('connect', this.onConnect);
    this.upstream.once('error', this.onError);
    this.upstream.once('timeout', this.onTimeout);
    downstream.once('close', this.onDownstreamGone);
    downstream.on('error', this.onDownstreamGone);
  }

  private readonly onConnect = (): void => {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.upstream.setTimeout(0);
    this.hooks.established?.(this.upstream);
    this.result.countBytesOf(this.upstream, false);
    bridge(this.upstream, this.downstream, this.onDone);
  };

  private readonly onError = (error: Error): void => {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.hooks.failed(error);
  };

  private readonly onTimeout = (): void => {
    this.upstream.destroy(new Error('connect timed out'));
  };

  private readonly onDownstreamGone = (): void => {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.upstream.destroy();
    this.result.close('-', 'the client went away before the upstream connection was up');
  };

  private readonly onDone = (error: Error | undefined): void => {
    this.result.close('-', error?.message);
  };

  private detach(): void {
    this.upstream.off('error', this.onError);
    this.upstream.off('timeout', this.onTimeout);
    this.upstream.on('error', ignore);
    this.downstream.off('close', this.onDownstreamGone);
    this.downstream.off('error', this.onDownstreamGone);
  }
}

function ignore(): void {}
