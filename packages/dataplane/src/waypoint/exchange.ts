/**
 * One request through the waypoint, from the client's headers to the last byte back: L7
 * authorization, route matching, redirects and direct responses, backend choice by weight,
 * fault injection, header and URL filters, then attempts to endpoints with per-try and overall
 * timeouts, retries with backoff, outlier reporting, and the response relayed with its filters.
 * Envoy's response flags say what happened (NR, DENY, FI, DI, UF, UH, UO, UT, URX, UC, DC).
 */
import type { Http2ServerRequest, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { type AuthzRequest, evaluateAuthorization } from '@ambit/shared/authz';
import {
  applyRequestHeaderModifier,
  applyResponseHeaderModifier,
  type CompiledBackend,
  type CompiledFilter,
  type CompiledRoute,
  computeRedirect,
  type ForwardAction,
  type HeaderModifier,
  type HeaderRecord,
  isRejectedRequestPath,
  matchRequest,
  normalizeRequestPath,
  pickBackend,
  type RouteRetry,
  rewriteUrl,
  WeightedSequence,
} from '@ambit/shared/routing';
import type { FlowRing } from '../flows/flow-ring';
import type { ProxyState } from '../state/proxy-state';
import { servicePort } from '../state/service';
import { Attempt } from './attempt';
import type { DownstreamRequest, DownstreamResponse } from './downstream';
import type { Endpoint, EndpointDirectory } from './endpoints';
import { rollPercent } from './fault';
import { forwardedRequestHeaders, forwardedResponseHeaders, headerValue } from './http-headers';
import type { BodyFraming, Http1Connection, Http1ResponseListener } from './http1-connection';
import type { Http1Upstream } from './http1-upstream';
import type { Http2Upstream } from './http2-upstream';
import { newRequestId } from './request-id';
import { RequestRecord, type RequestTelemetry, type ResponseFlag } from './request-telemetry';
import type { ServiceRoutes } from './service-routes';
import type { TunnelContext } from './tunnel-context';

/** What every exchange of a waypoint shares. */
export interface ProxyContext {
  state: ProxyState;
  routes: ServiceRoutes;
  endpoints: EndpointDirectory;
  http1: Http1Upstream;
  http2: Http2Upstream;
  telemetry: RequestTelemetry;
  /** Services are `<name>.<namespace>.svc.<domainSuffix>`. */
  domainSuffix: string;
  /** Request bodies kept for retries and mirrors, per request; a larger body disables both. */
  retryBufferBytes: number;
  /** Returns [0, 1), like Math.random: fault and mirror percentages use it, and each route's weight sequence starts at one. */
  random: () => number;
  /** Per route (its compiled action, alive as long as its route table): where its weighted picks have got to. */
  weightSequences: WeakMap<ForwardAction, WeightedSequence>;
  /** Where each request's authorization decision is recorded. */
  flows?: FlowRing;
}

// Envoy's retry back-off when a rule does not say.
const DEFAULT_BACKOFF_MS = 25;
const NO_MODIFIERS: readonly HeaderModifier[] = Object.freeze([]);
const GRPC_CONTENT_TYPE = 'application/grpc';

/** Where an attempt takes the request body: an HTTP/1.1 connection or an HTTP/2 stream. */
export interface BodySink {
  write(chunk: Buffer): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
}

// Timer callbacks take the exchange as an argument: no closure per request for timers that rarely fire.
function afterDelay(exchange: Exchange): void {
  exchange.afterDelay();
}

function startAttempt(exchange: Exchange): void {
  exchange.startAttempt();
}

function requestTimeout(exchange: Exchange): void {
  exchange.onRequestTimeout();
}

/** Names rendered per compiled route and backend (alive as long as their route table), not per request. */
const routeNames = new WeakMap<CompiledRoute, string>();
const backendHosts = new WeakMap<CompiledBackend, { suffix: string; host: string }>();

/** `namespace/name/rule/match` of a route, for telemetry. */
function routeNameOf(route: CompiledRoute): string {
  let name = routeNames.get(route);
  if (name === undefined) {
    name = `${route.source.route}/${route.source.ruleIndex}/${route.source.matchIndex}`;
    routeNames.set(route, name);
  }
  return name;
}

/** The backend's service hostname, `<name>.<namespace>.svc.<domainSuffix>`. */
function backendHostOf(backend: CompiledBackend, domainSuffix: string): string {
  const known = backendHosts.get(backend);
  if (known !== undefined && known.suffix === domainSuffix) return known.host;
  const host = `${backend.name}.${backend.namespace}.svc.${domainSuffix}`;
  backendHosts.set(backend, { suffix: domainSuffix, host });
  return host;
}

/** The route's weight sequence, started at a random point the first time the route is used. */
function weightSequenceOf(proxy: ProxyContext, action: ForwardAction): WeightedSequence {
  let sequence = proxy.weightSequences.get(action);
  if (sequence === undefined) {
    sequence = new WeightedSequence(proxy.random());
    proxy.weightSequences.set(action, sequence);
  }
  return sequence;
}

/** Envoy's mapping of a local HTTP reply to a gRPC status. */
function grpcStatusOf(status: number): number {
  switch (status) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}

export class Exchange {
  private readonly record: RequestRecord;
  private readonly downstreamHttp2: boolean;
  private action: ForwardAction | undefined;
  private backendHost = '';
  private backendPort = 0;
  private useHttp2 = false;
  private headers: HeaderRecord = {};
  private path = '';
  private host = '';
  private framing: BodyFraming = 'none';
  private responseModifiers: readonly HeaderModifier[] = NO_MODIFIERS;
  private mirrors: Extract<CompiledFilter, { type: 'RequestMirror' }>[] | undefined;
  private retry: RouteRetry | undefined;
  private retriesLeft = 0;
  private retriesDone = 0;
  /** Body chunks kept for replays (retries, mirrors); undefined once the body outgrew the buffer. */
  private copies: Buffer[] | undefined;
  private copiedBytes = 0;
  private bodyStarted = false;
  private bodyComplete = false;
  private sink: BodySink | undefined;
  private attempt: Attempt | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Set by a delay fault: the abort still to roll once the delay is over. */
  private pendingAbort: { httpStatus?: number; grpcStatus?: number; percent: number } | undefined;
  private finished = false;
  private reported = false;
  private onSinkDrain: (() => void) | undefined;
  private onResponseDrain: (() => void) | undefined;

  constructor(
    private readonly proxy: ProxyContext,
    private readonly request: DownstreamRequest,
    private readonly response: DownstreamResponse,
    private readonly context: TunnelContext,
  ) {
    const headers = request.headers;
    const authority = headerValue(headers, ':authority') ?? headerValue(headers, 'host') ?? `${context.vip}:${context.port}`;
    // Envoy normalizes the path (Istio's default, BASE) before routing and authorization, and forwards it normalized.
    this.record = new RequestRecord(
      context,
      request.method ?? 'GET',
      normalizeRequestPath(request.url ?? '/'),
      authority,
      request.httpVersion,
    );
    this.record.grpc = headerValue(headers, 'content-type')?.startsWith(GRPC_CONTENT_TYPE) === true;
    this.downstreamHttp2 = request.httpVersionMajor === 2;
  }

  start(): void {
    this.response.once('finish', this.report);
    this.response.once('close', this.onDownstreamClose);
    const { record, context, proxy } = this;
    const { service } = context;
    if (isRejectedRequestPath(this.request.url ?? '/')) {
      // Istio refuses an encoded NUL in the path before routing or authorization.
      this.reply(400, 'invalid path');
      return;
    }
    const policies = proxy.routes.policiesFor(service);
    if (policies.length > 0) {
      const decision = evaluateAuthorization(policies, this.authzRequest());
      this.recordFlow(decision.allowed, decision.policy, decision.ruleIndex ?? -1);
      if (!decision.allowed) {
        record.policy = decision.policy;
        record.error = decision.reason;
        this.reply(403, 'RBAC: access denied', 'DENY');
        return;
      }
    } else this.recordFlow(true, undefined, -1);
    const { table, faults } = proxy.routes.routesFor(service, context.port);
    const hit = matchRequest(table, { method: record.method, path: record.path, headers: this.request.headers, host: record.authority });
    if (!hit) {
      this.reply(404, 'no route matched', 'NR');
      return;
    }
    const route = hit.route;
    record.route = routeNameOf(route);
    const action = route.action;
    if (action.type === 'DirectResponse') {
      record.error = action.reason;
      this.reply(action.status, 'no usable backend for this route');
      return;
    }
    for (const filter of action.filters) {
      if (filter.type !== 'RequestRedirect') continue;
      const prefix = route.match.path.type === 'PathPrefix' ? route.match.path.value : undefined;
      const redirect = computeRedirect({ scheme: 'http', host: record.authority, path: record.path, port: context.port }, filter, prefix);
      if (!this.writeHeadChecked(redirect.status, { location: redirect.location, 'content-length': '0' })) return;
      record.status = redirect.status;
      this.response.end();
      return;
    }
    const backend = pickBackend(action, weightSequenceOf(proxy, action).next);
    if (!backend || backend.invalid !== undefined || backend.port === undefined) {
      record.error = backend?.invalid ?? 'no backend with a port';
      this.reply(backend ? (action.unusableBackendStatus ?? 500) : 500, 'no usable backend for this route');
      return;
    }
    this.action = action;
    this.prepare(route, action, backend);
    const fault = faults.get(backend) ?? faults.get(route);
    this.pendingAbort = fault?.abort;
    if (fault?.delay && rollPercent(fault.delay.percent, proxy.random)) {
      record.addFlag('DI');
      this.requestTimer = setTimeout(afterDelay, fault.delay.fixedDelayMs, this);
      return;
    }
    this.afterDelay();
  }

  private recordFlow(allowed: boolean, policy: string | undefined, ruleIndex: number): void {
    const { context, record } = this;
    this.proxy.flows?.recordRequest(
      context.peer.principal,
      context.sourceIp,
      context.source,
      context.vip,
      context.port,
      context.service.hostname,
      record.method,
      // Flow records are readable by every console viewer: the query may carry tokens, and authorization never reads it.
      pathWithoutQuery(record.path),
      record.authority,
      allowed,
      policy,
      ruleIndex,
    );
  }

  private authzRequest(): AuthzRequest {
    const { context, record } = this;
    return {
      source: { principal: context.peer.principal, namespace: context.peer.id.namespace, ip: context.sourceIp },
      destination: { ip: context.vip, port: context.port },
      http: { method: record.method, path: record.path, host: record.authority, headers: this.request.headers },
    };
  }

  /** Upstream headers, path and host after the backend's and the route's filters; where to send it. */
  private prepare(route: CompiledRoute, action: ForwardAction, backend: CompiledBackend): void {
    const { proxy, record } = this;
    this.backendHost = backendHostOf(backend, proxy.domainSuffix);
    this.backendPort = backend.port as number;
    const backendService = proxy.state.serviceByHostname(this.backendHost);
    if (backendService) record.destinationService = backendService;
    const appProtocol = backendService ? servicePort(backendService, this.backendPort)?.appProtocol : undefined;
    this.useHttp2 = appProtocol === 'HTTP2' || appProtocol === 'GRPC' || (this.downstreamHttp2 && appProtocol !== 'HTTP11');

    let headers = forwardedRequestHeaders(this.request.headers);
    let path = record.path;
    let host = record.authority;
    const prefix = route.match.path.type === 'PathPrefix' ? route.match.path.value : undefined;
    // Made only when a filter needs them: most routes have none.
    let responseModifiers: HeaderModifier[] | undefined;
    let mirrors: Extract<CompiledFilter, { type: 'RequestMirror' }>[] | undefined;
    // The backend's filters, then the rule's: as Envoy applies a ClusterWeight's header changes before its route's, the rule's win.
    for (let list = 0; list < 2; list++) {
      for (const filter of list === 0 ? backend.filters : action.filters) {
        switch (filter.type) {
          case 'RequestHeaderModifier':
            headers = applyRequestHeaderModifier(headers, filter);
            break;
          case 'ResponseHeaderModifier':
            if (responseModifiers) responseModifiers.push(filter);
            else responseModifiers = [filter];
            break;
          case 'URLRewrite':
            ({ path, host } = rewriteUrl({ path, host }, filter, prefix));
            break;
          case 'RequestMirror':
            if (mirrors) mirrors.push(filter);
            else mirrors = [filter];
            break;
          default:
            // RequestRedirect answered earlier; ExtensionRef faults arrive as the route's faults.
            break;
        }
      }
    }
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-request-id'] ??= newRequestId();
    this.headers = headers;
    this.path = path;
    this.host = host;
    this.framing = bodyFramingOf(this.request, headers);
    if (responseModifiers) this.responseModifiers = responseModifiers;
    if (mirrors) this.mirrors = mirrors;
    this.retry = action.retry && action.retry.attempts > 0 ? action.retry : undefined;
    this.retriesLeft = this.retry?.attempts ?? 0;
    if (this.retry || this.mirrors) this.copies = [];
  }

  /** @internal */
  afterDelay(): void {
    this.requestTimer = undefined;
    if (this.finished) return;
    const abort = this.pendingAbort;
    if (abort && rollPercent(abort.percent, this.proxy.random)) {
      this.record.addFlag('FI');
      if (abort.grpcStatus !== undefined && this.record.grpc) this.replyGrpc(abort.grpcStatus, 'fault filter abort');
      else this.reply(abort.httpStatus ?? 503, 'fault filter abort');
      return;
    }
    const requestMs = (this.action as ForwardAction).timeouts.requestMs;
    if (requestMs) this.requestTimer = setTimeout(requestTimeout, requestMs, this);
    this.startAttempt();
  }

  /** @internal */
  startAttempt(): void {
    this.retryTimer = undefined;
    if (this.finished) return;
    const { proxy, record } = this;
    const picked = proxy.endpoints.pick(this.backendHost, this.backendPort, Date.now());
    if (typeof picked === 'string') {
      record.error = picked === 'overflow' ? 'every endpoint is at its request limit' : `no healthy endpoint of ${this.backendHost}`;
      this.reply(503, picked === 'overflow' ? 'upstream overflow' : 'no healthy upstream', picked === 'overflow' ? 'UO' : 'UH');
      return;
    }
    record.endpoint = picked;
    record.attempts++;
    const attempt = new Attempt(this, picked, proxy.endpoints);
    this.attempt = attempt;
    const perTryMs = (this.action as ForwardAction).timeouts.backendRequestMs;
    if (perTryMs) attempt.startPerTryTimer(perTryMs);
    if (this.useHttp2) attempt.sendHttp2(proxy.http2);
    else attempt.sendHttp1(proxy.http1);
  }

  /** @internal Sends an attempt's request line and headers on `connection`; throws when they cannot be sent. */
  sendHttp1Head(connection: Http1Connection, listener: Http1ResponseListener): void {
    connection.send(this.record.method, this.path, this.host, this.headers, this.framing, listener);
  }

  /** @internal */
  http2Headers(): HeaderRecord {
    return { ...this.headers, ':method': this.record.method, ':path': this.path, ':authority': this.host, ':scheme': 'http' };
  }

  /** @internal An attempt's request is ready for the body: send what was kept, then stream the rest. */
  attachSink(attempt: Attempt, sink: BodySink): void {
    if (attempt !== this.attempt) return;
    this.sink = sink;
    if (!this.bodyStarted) {
      this.bodyStarted = true;
      this.request.on('data', this.onBodyData);
      this.request.once('end', this.onBodyEnd);
      return;
    }
    for (const chunk of this.copies ?? []) sink.write(chunk);
    if (this.bodyComplete) sink.end();
    else this.request.resume();
  }

  private readonly onBodyData = (chunk: Buffer): void => {
    this.record.requestBytes += chunk.length;
    if (this.copies) {
      this.copiedBytes += chunk.length;
      if (this.copiedBytes <= this.proxy.retryBufferBytes) this.copies.push(chunk);
      else this.copies = undefined;
    }
    const sink = this.sink;
    if (sink && !sink.write(chunk)) {
      this.request.pause();
      // Made the first time back-pressure needs it, not for every request.
      this.onSinkDrain ??= () => this.request.resume();
      sink.once('drain', this.onSinkDrain);
    }
  };

  private readonly onBodyEnd = (): void => {
    this.bodyComplete = true;
    this.sink?.end();
    if (this.mirrors && this.copies) for (const mirror of this.mirrors) this.sendMirror(mirror);
  };

  /** @internal Response headers from an attempt. */
  onResponse(attempt: Attempt, status: number, headers: HeaderRecord | IncomingHttpHeaders): void {
    if (attempt !== this.attempt || this.finished) {
      attempt.abort();
      return;
    }
    attempt.status = status;
    if (attempt.timer) clearTimeout(attempt.timer);
    const retry = this.retry;
    if (retry?.codes.includes(status)) {
      if (this.canRetry()) {
        attempt.discard();
        this.scheduleRetry();
        return;
      }
      if (this.retriesDone > 0 || this.copies === undefined) this.record.addFlag('URX');
    }
    this.relay(attempt, status, headers);
  }

  /** @internal An attempt failed before response headers: connect failure, reset, or its per-try timeout. */
  onAttemptFailed(attempt: Attempt, error: Error, timedOut: boolean): void {
    if (attempt !== this.attempt || this.finished) return;
    attempt.abort();
    attempt.release(true);
    this.sink = undefined;
    this.record.error = error.message;
    // GEP-1731: connection errors are always retriable; a per-try timeout is the gateway's own 504.
    const retriable = this.retry !== undefined && (!timedOut || this.retry.codes.includes(504));
    if (retriable && this.canRetry()) {
      this.scheduleRetry();
      return;
    }
    if (this.retriesDone > 0) this.record.addFlag('URX');
    if (timedOut) this.reply(504, 'upstream request timeout', 'UT');
    else this.reply(503, 'upstream connect error or disconnect/reset before headers', 'UF');
  }

  private canRetry(): boolean {
    return this.retriesLeft > 0 && this.copies !== undefined && !this.finished;
  }

  private scheduleRetry(): void {
    this.retriesLeft--;
    this.retriesDone++;
    this.attempt = undefined;
    this.sink = undefined;
    // Hold the rest of the body until the next attempt takes it (attachSink resumes).
    if (this.bodyStarted && !this.bodyComplete) this.request.pause();
    const base = this.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
    // Exponential from the rule's backoff (its minimum), capped at ten times it, as Envoy caps.
    const delay = Math.min(base * 2 ** (this.retriesDone - 1), base * 10);
    this.retryTimer = setTimeout(startAttempt, delay, this);
  }

  private relay(attempt: Attempt, status: number, upstreamHeaders: HeaderRecord | IncomingHttpHeaders): void {
    const { record } = this;
    let headers = forwardedResponseHeaders(upstreamHeaders);
    for (const modifier of this.responseModifiers) headers = applyResponseHeaderModifier(headers, modifier);
    const grpcStatus = headerValue(upstreamHeaders, 'grpc-status');
    if (grpcStatus !== undefined) record.grpcStatus = grpcStatus;
    if (!this.writeHeadChecked(status, headers)) {
      if (this.attempt === attempt) this.attempt = undefined;
      attempt.abort();
      attempt.release(false);
      return;
    }
    record.status = status;
  }

  /**
   * writeHead, or (when the head cannot be written: a CR/LF or bad name from the routing config or
   * the upstream) the waypoint's 500 in its place; never a throw into the parser that called us.
   */
  private writeHeadChecked(status: number, headers: HeaderRecord | OutgoingHttpHeaders): boolean {
    try {
      this.response.writeHead(status, headers);
      return true;
    } catch (error) {
      this.record.error = `invalid response head: ${(error as Error).message}`;
      if (this.response.headersSent) this.abortDownstream();
      else this.reply(500, 'invalid response head');
      return false;
    }
  }

  /** @internal A piece of the relayed response body. */
  onResponseData(attempt: Attempt, chunk: Buffer): void {
    if (attempt !== this.attempt || this.finished || attempt.status === undefined) return;
    this.record.responseBytes += chunk.length;
    if (!this.response.write(chunk)) {
      attempt.pause();
      this.onResponseDrain ??= () => this.attempt?.resume();
      this.response.once('drain', this.onResponseDrain);
    }
  }

  /** @internal The relayed response is complete, with its trailers (gRPC status) if any. */
  onResponseEnd(attempt: Attempt, trailers: HeaderRecord | IncomingHttpHeaders | undefined, last: Buffer | undefined): void {
    if (attempt !== this.attempt || this.finished) return;
    const grpcStatus = trailers ? headerValue(trailers, 'grpc-status') : undefined;
    if (grpcStatus !== undefined) this.record.grpcStatus = grpcStatus;
    if (trailers && this.downstreamHttp2 && Object.keys(trailers).length > 0) this.response.addTrailers(forwardedResponseHeaders(trailers));
    this.clearTimers();
    if (last === undefined) this.response.end();
    else {
      this.record.responseBytes += last.length;
      this.response.end(last);
    }
    // Answered before the whole request body went up: the rest is dropped, so the upstream request cannot be completed.
    if (this.bodyStarted && !this.bodyComplete) {
      this.sink = undefined;
      attempt.abort();
    }
    attempt.release((attempt.status ?? 0) >= 500);
  }

  /** @internal The relayed response broke off after its head. */
  onResponseError(attempt: Attempt, error: Error): void {
    if (attempt !== this.attempt || this.finished) return;
    this.record.error = error.message;
    this.record.addFlag('UC');
    attempt.release(true);
    this.abortDownstream();
  }

  /** @internal */
  onRequestTimeout(): void {
    this.requestTimer = undefined;
    if (this.finished) return;
    this.record.error = 'request timeout';
    const attempt = this.attempt;
    this.attempt = undefined;
    if (attempt) {
      attempt.abort();
      attempt.release(true);
    }
    if (this.response.headersSent) {
      this.record.addFlag('UT');
      this.abortDownstream();
    } else {
      this.reply(504, 'upstream request timeout', 'UT');
    }
  }

  private readonly onDownstreamClose = (): void => {
    if (!this.response.writableFinished) {
      if (!this.finished) this.record.addFlag('DC');
      if (!this.response.headersSent) this.record.status = 0;
      this.finished = true;
      const attempt = this.attempt;
      this.attempt = undefined;
      if (attempt) {
        attempt.abort();
        attempt.release(false);
      }
    }
    this.report();
  };

  private readonly report = (): void => {
    this.finished = true;
    this.clearTimers();
    if (this.reported) return;
    this.reported = true;
    this.proxy.telemetry.finish(this.record);
  };

  /** A reply of the waypoint's own (as a trailers-only gRPC reply for gRPC clients). */
  private reply(status: number, body: string, flag?: ResponseFlag): void {
    if (flag) this.record.addFlag(flag);
    if (this.response.headersSent) {
      this.abortDownstream();
      return;
    }
    if (this.record.grpc) {
      this.replyGrpc(grpcStatusOf(status), body);
      return;
    }
    this.finished = true;
    this.clearTimers();
    this.record.status = status;
    this.response.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    this.record.responseBytes = Buffer.byteLength(body);
    this.response.end(body);
  }

  private replyGrpc(code: number, message: string): void {
    this.finished = true;
    this.clearTimers();
    this.record.status = 200;
    this.record.grpcStatus = String(code);
    this.response.writeHead(200, { 'content-type': GRPC_CONTENT_TYPE, 'grpc-status': String(code), 'grpc-message': message });
    this.response.end();
  }

  private abortDownstream(): void {
    this.finished = true;
    this.clearTimers();
    this.response.destroy();
  }

  private clearTimers(): void {
    if (this.requestTimer) clearTimeout(this.requestTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.attempt?.timer) clearTimeout(this.attempt.timer);
    this.requestTimer = undefined;
    this.retryTimer = undefined;
  }

  /** Best effort: a copy to the mirror backend, Host suffixed `-shadow` as Envoy does; its answer is dropped. */
  private sendMirror(mirror: Extract<CompiledFilter, { type: 'RequestMirror' }>): void {
    const { proxy } = this;
    if (mirror.backend.port === undefined || this.useHttp2 || !rollPercent(mirror.percent, proxy.random)) return;
    const host = `${mirror.backend.name}.${mirror.backend.namespace}.svc.${proxy.domainSuffix}`;
    const endpoint = proxy.endpoints.pick(host, mirror.backend.port, Date.now());
    if (typeof endpoint === 'string') return;
    const copy = new MirrorCopy(
      proxy.endpoints,
      endpoint,
      this.record.method,
      this.path,
      `${this.host.replace(/:\d+$/, '')}-shadow`,
      this.headers,
      this.copies ?? [],
    );
    const idle = proxy.http1.take(endpoint);
    if (idle) copy.send(idle);
    else proxy.http1.connect(endpoint).then(copy.send, copy.onFail);
  }
}

/** A mirrored request: sent whole from the kept body, its answer read and dropped. */
class MirrorCopy implements Http1ResponseListener {
  private status = 0;
  private released = false;

  constructor(
    private readonly directory: EndpointDirectory,
    private readonly endpoint: Endpoint,
    private readonly method: string,
    private readonly path: string,
    private readonly host: string,
    private readonly headers: HeaderRecord,
    private readonly body: readonly Buffer[],
  ) {}

  readonly send = (connection: Http1Connection): void => {
    let length = 0;
    for (const chunk of this.body) length += chunk.length;
    const headers =
      this.headers['content-length'] === undefined && length > 0 ? { ...this.headers, 'content-length': String(length) } : this.headers;
    try {
      connection.send(this.method, this.path, this.host, headers, length > 0 ? 'length' : 'none', this);
    } catch {
      connection.destroy();
      this.release(true);
      return;
    }
    for (const chunk of this.body) connection.write(chunk);
    connection.end();
  };

  onHead(status: number): void {
    this.status = status;
  }

  onData(): void {}

  onEnd(): void {
    this.release(this.status >= 500);
  }

  readonly onFail = (): void => {
    this.release(true);
  };

  private release(failed: boolean): void {
    if (this.released) return;
    this.released = true;
    this.directory.release(this.endpoint, failed, Date.now());
  }
}

/** How the body goes upstream: as it came when its length is known, chunked when it may come, not at all when there is none. */
function bodyFramingOf(request: DownstreamRequest, headers: HeaderRecord): BodyFraming {
  if (headers['content-length'] !== undefined) return 'length';
  if (request.httpVersionMajor === 2) return (request as Http2ServerRequest).stream.endAfterHeaders ? 'none' : 'chunked';
  return request.headers['transfer-encoding'] !== undefined ? 'chunked' : 'none';
}

function pathWithoutQuery(path: string): string {
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}
