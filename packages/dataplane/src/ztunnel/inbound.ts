import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { AuthzRequest, AuthzVerdict } from '@ambit/shared/authz';
import type { Logger } from 'pino';
import type { FlowRing } from '../flows/flow-ring';
import { abort, type BridgeSide } from '../hbone/bridge';
import { formatAuthority, forwardedFor, forwardedHost, parseAuthority } from '../hbone/headers';
import { RESERVED_TARGET_PORTS } from '../hbone/protocol';
import { type InboundTunnel, respondAndEnd } from '../hbone/server';
import type { CounterFamily } from '../metrics/registry';
import type { ConnectionResult, ConnectionTracker } from '../metrics/tcp';
import type { ProxyState } from '../state/proxy-state';
import type { Service } from '../state/service';
import type { Workload } from '../state/workload';
import { connectUpstream } from './upstream';

/**
 * Inbound: a tunnel (HBONE, port 15008) or a plaintext connection (port 15006) meant for a
 * workload on this node → L4 authorization with the peer's identity → a TCP connection to the
 * workload's address. Answers: 400 for targets that are not ours, 401 when policy denies, 503
 * when the workload does not accept, 200 and then bytes both ways.
 */

/** The L4 authorization hook: the shared evaluator by default (see startZtunnel). */
export type Authorizer = (workload: Workload, request: AuthzRequest) => AuthzVerdict;

export interface InboundOptions {
  node: string;
  /** Workloads see connections from this address. */
  nodeAddress: string;
  state: ProxyState;
  tracker: ConnectionTracker;
  logger: Logger;
  refused: CounterFamily;
  authorize: Authorizer;
  connectTimeoutMs: number;
  /** Ports of this ztunnel (as bound), never valid targets. */
  reservedPorts: ReadonlySet<number>;
  /** Where each connection's authorization decision is recorded. */
  flows?: FlowRing;
}

const OK_HEADERS = Object.freeze({ ':status': 200 });
const UNKNOWN_TARGET = 'reason="unknown_target"';

export class InboundProxy {
  /** Allowed connections still open, with what they were authorized as: a policy change re-checks them. */
  private readonly open = new Map<BridgeSide, AuthzRequest>();
  private reauthorizeScheduled = false;
  /** The state's authorizationRevision the open connections were last checked against. */
  private checkedRevision = -1;

  /** A side's 'close' listener, shared by all: EventEmitter calls it with the closing side as `this`. */
  private readonly untrack: (this: BridgeSide) => void;

  constructor(private readonly options: InboundOptions) {
    const open = this.open;
    this.untrack = function untrack(this: BridgeSide): void {
      open.delete(this);
    };
  }

  /**
   * Subscribe to state changes: one re-authorization pass per event-loop turn however many changes
   * arrived in it, and none when nothing authorization depends on changed (a service or node update).
   */
  readonly onStateChange = (): void => {
    if (this.reauthorizeScheduled) return;
    this.reauthorizeScheduled = true;
    setImmediate(this.reauthorizeIfChanged);
  };

  private readonly reauthorizeIfChanged = (): void => {
    this.reauthorizeScheduled = false;
    const revision = this.options.state.authorizationRevision;
    if (revision === this.checkedRevision) return;
    this.checkedRevision = revision;
    this.reauthorize();
  };

  /**
   * Re-authorizes every open connection against the current policies and closes those now denied,
   * as Istio's ztunnel does after a policy update (istio/ztunnel#772). Call on state changes.
   */
  reauthorize(): void {
    for (const [side, request] of this.open) {
      if (side.destroyed) {
        this.open.delete(side);
        continue;
      }
      // A workload that left this node's state takes its connections with it; nothing to decide.
      const target = this.localWorkload(request.destination.ip);
      if (!target) continue;
      const verdict = this.options.authorize(target, request);
      if (verdict.allowed) continue;
      this.open.delete(side);
      this.options.logger.info(
        {
          direction: 'inbound',
          'src.addr': request.source.ip,
          // Authorization principals are SPIFFE ids without the scheme; the access log names identities with it.
          'src.identity': request.source.principal === undefined ? undefined : `spiffe://${request.source.principal}`,
          'dst.addr': formatAuthority(request.destination.ip, request.destination.port),
          policy: verdict.policy,
        },
        'closed an open connection the policy now denies',
      );
      side.destroy();
    }
  }

  /** Remembers an allowed connection until it closes, so a closed stream is not kept alive by the map. */
  private track(side: BridgeSide, request: AuthzRequest): void {
    if (side.destroyed) return;
    this.open.set(side, request);
    side.on('close', this.untrack);
  }

  /** The HBONE server's tunnel handler. */
  readonly onTunnel = (stream: ServerHttp2Stream, tunnel: InboundTunnel): void => {
    const { state, logger } = this.options;
    const target = this.localWorkload(tunnel.targetIp);
    if (!target) {
      this.badTarget(`no workload of this node has address ${tunnel.targetIp}`, tunnel);
      respondAndEnd(stream, 400);
      return;
    }
    if (target.identity !== tunnel.localIdentity) {
      this.badTarget(`${target.name} is ${target.identity}, but this session serves ${tunnel.localIdentity}`, tunnel);
      respondAndEnd(stream, 400);
      return;
    }
    const forwarded = tunnel.headers.forwarded;
    const forwardedValue = typeof forwarded === 'string' ? forwarded : undefined;
    const client = parseAuthority(forwardedFor(forwardedValue));
    // The forwarded client is believed only when it is a workload with the identity that authenticated.
    const claimed = client ? state.workloadByIp(client.ip) : undefined;
    const source = claimed && claimed.identity === tunnel.peer.uri ? claimed : undefined;
    const sourceIp = source && client ? client.ip : tunnel.remoteAddress;
    const result = this.options.tracker.open({
      reporter: 'destination',
      security: 'mutual_tls',
      srcAddr: source && client ? formatAuthority(client.ip, client.port) : tunnel.remoteAddress,
      dstAddr: formatAuthority(tunnel.targetIp, tunnel.targetPort),
      hboneAddr: tunnel.headers[':authority'],
      source,
      sourceIdentity: tunnel.peer.uri,
      destination: target,
      service: serviceOf(state, target, forwardedHost(forwardedValue)),
    });
    const request: AuthzRequest = {
      source: { principal: tunnel.peer.principal, namespace: tunnel.peer.id.namespace, ip: sourceIp },
      destination: { ip: tunnel.targetIp, port: tunnel.targetPort },
    };
    const verdict = this.options.authorize(target, request);
    this.options.flows?.recordConnection(
      tunnel.peer.principal,
      sourceIp,
      source,
      tunnel.targetIp,
      tunnel.targetPort,
      target,
      verdict.allowed,
      verdict.policy,
      verdict.ruleIndex ?? -1,
    );
    if (!verdict.allowed) {
      respondAndEnd(stream, 401);
      result.close('DENY', verdict.reason, verdict.policy);
      return;
    }
    this.track(stream, request);
    connectUpstream(this.target(tunnel.targetIp, tunnel.targetPort), stream, result, {
      established: () => {
        // The client may have reset the stream while the workload was connecting; the bridge cleans up.
        if (!stream.destroyed && !stream.closed) stream.respond(OK_HEADERS);
      },
      failed: (error) => {
        respondAndEnd(stream, 503);
        result.close('CONNECT', error.message);
      },
    });
    logger.debug({ 'dst.addr': tunnel.headers[':authority'], 'src.identity': tunnel.peer.uri }, 'tunnel accepted');
  };

  /** The plaintext (15006) handler: no identity, so only PERMISSIVE destinations accept it. */
  readonly onPlaintext = (socket: Socket, destinationIp: string, destinationPort: number): void => {
    const sourceIp = socket.remoteAddress ?? '';
    const target = this.localWorkload(destinationIp);
    if (!target || RESERVED_TARGET_PORTS.has(destinationPort) || this.options.reservedPorts.has(destinationPort)) {
      this.options.refused.get(UNKNOWN_TARGET).value++;
      this.options.logger.warn(
        { 'src.addr': sourceIp, 'dst.addr': formatAuthority(destinationIp, destinationPort) },
        'refused plaintext: not a workload of this node',
      );
      socket.destroy();
      return;
    }
    const result: ConnectionResult = this.options.tracker.open({
      reporter: 'destination',
      security: 'none',
      srcAddr: formatAuthority(sourceIp, socket.remotePort ?? 0),
      dstAddr: formatAuthority(destinationIp, destinationPort),
      destination: target,
    });
    const request: AuthzRequest = { source: { ip: sourceIp }, destination: { ip: destinationIp, port: destinationPort } };
    const verdict = this.options.authorize(target, request);
    this.options.flows?.recordConnection(
      undefined,
      sourceIp,
      undefined,
      destinationIp,
      destinationPort,
      target,
      verdict.allowed,
      verdict.policy,
      verdict.ruleIndex ?? -1,
    );
    if (!verdict.allowed) {
      result.close('DENY', verdict.reason, verdict.policy);
      abort(socket);
      return;
    }
    this.track(socket, request);
    connectUpstream(this.target(destinationIp, destinationPort), socket, result, {
      failed: (error) => {
        result.close('CONNECT', error.message);
        abort(socket);
      },
    });
  };

  private localWorkload(ip: string): Workload | undefined {
    const w = this.options.state.workloadByIp(ip);
    return w && w.node === this.options.node ? w : undefined;
  }

  private target(host: string, port: number): { host: string; port: number; localAddress: string; timeoutMs: number } {
    return { host, port, localAddress: this.options.nodeAddress, timeoutMs: this.options.connectTimeoutMs };
  }

  private badTarget(detail: string, tunnel: InboundTunnel): void {
    this.options.refused.get(UNKNOWN_TARGET).value++;
    this.options.logger.warn(
      { 'src.identity': tunnel.peer.uri, 'dst.hbone_addr': tunnel.headers[':authority'], error: detail },
      'refused tunnel: bad target',
    );
  }
}

/** The service the client dialed (from `forwarded: host=`), if the target is one of its endpoints. */
function serviceOf(state: ProxyState, target: Workload, host: string | undefined): Service | undefined {
  if (!host) return undefined;
  const service = state.serviceByHostname(host);
  return service && target.services[service.key] ? service : undefined;
}
