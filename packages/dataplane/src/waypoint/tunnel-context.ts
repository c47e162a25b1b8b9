/**
 * What the waypoint knows about one inbound tunnel, for every request on it: the service the
 * client dialed (its VIP and port from `:authority`), the client's identity as its ztunnel
 * presented it, and the client workload when the `forwarded` header names one with that identity.
 */
import { formatAuthority, forwardedFor, parseAuthority } from '../hbone/headers';
import type { InboundTunnel } from '../hbone/server';
import type { PeerIdentity } from '../hbone/tls';
import type { ProxyState } from '../state/proxy-state';
import type { Service } from '../state/service';
import type { Workload } from '../state/workload';

export interface TunnelContext {
  readonly service: Service;
  /** The service port dialed. */
  readonly port: number;
  /** The service address dialed. */
  readonly vip: string;
  /** The client as its ztunnel authenticated it. */
  readonly peer: PeerIdentity;
  /** The client workload, when `forwarded: for=` names one that has the peer identity. */
  readonly source: Workload | undefined;
  /** The client's IP: the forwarded one when believed, else the tunnel's TCP peer. */
  readonly sourceIp: string;
  /** `ip:port` of the client, for the access log. */
  readonly sourceAddress: string;
}

/** The context of a tunnel to a service VIP; undefined when the target is not a service this state knows. */
export function tunnelContextOf(state: ProxyState, tunnel: InboundTunnel): TunnelContext | undefined {
  const service = state.serviceByVip(tunnel.targetIp, tunnel.targetPort);
  if (!service) return undefined;
  const forwarded = tunnel.headers.forwarded;
  const client = parseAuthority(forwardedFor(typeof forwarded === 'string' ? forwarded : undefined));
  const claimed = client ? state.workloadByIp(client.ip) : undefined;
  const source = claimed && claimed.identity === tunnel.peer.uri ? claimed : undefined;
  return {
    service,
    port: tunnel.targetPort,
    vip: tunnel.targetIp,
    peer: tunnel.peer,
    source,
    sourceIp: source && client ? client.ip : tunnel.remoteAddress,
    sourceAddress: source && client ? formatAuthority(client.ip, client.port) : tunnel.remoteAddress,
  };
}
