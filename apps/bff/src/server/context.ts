import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CertificateAuthority } from '@ambit/control-plane/ca';
import type { Registry } from '@ambit/control-plane/registry';
import type { Store } from '@ambit/control-plane/store';
import type { TelemetrySource } from '@ambit/control-plane/telemetry';
import type { XdsServer } from '@ambit/control-plane/xds';
import type { Logger } from 'pino';
import type { AuditLog } from './audit/audit-log';
import type { ApiTokens } from './auth/api-tokens';
import type { LoginLimiter } from './auth/login-limiter';
import { authenticate, type Principal } from './auth/principal';
import type { SessionStore } from './auth/sessions';
import type { UserDirectory } from './auth/users';

/** What the BFF needs of the control plane: `startControlPlane()`'s result has all of it. */
export interface BffControlPlane {
  readonly store: Store;
  readonly registry: Pick<Registry, 'snapshot'>;
  readonly xds: Pick<XdsServer, 'listProxies' | 'configDump'>;
  readonly ca: Pick<CertificateAuthority, 'issuedCertificates'>;
}

/** Long-lived parts every call may use; built once by startBff. */
export interface BffServices {
  readonly controlPlane: BffControlPlane;
  readonly users: UserDirectory;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokens;
  readonly loginLimiter: LoginLimiter;
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** Honour X-Forwarded-For / X-Forwarded-Proto from a reverse proxy in front of the BFF. */
  readonly trustProxy: boolean;
  /** Traffic metrics for the topology and the mTLS audit, when the host runs a telemetry back end. */
  readonly telemetry?: TelemetrySource;
}

/** Facts about the HTTP request that procedures need. */
export interface RequestFacts {
  /** Ties together the audit rows of one request. */
  id: string;
  clientIp: string;
  /** Reached over https (directly or, with trustProxy, through a proxy): cookies get `Secure`. */
  https: boolean;
  /** The `x-ambit-csrf` header, checked on cookie-authenticated mutations. */
  csrfToken: string | undefined;
}

export interface BffContext {
  services: BffServices;
  request: RequestFacts;
  principal: Principal | null;
  /** Why the credentials sent were refused (expired session, revoked token). */
  authProblem: string | undefined;
  /** Headers procedures add to the response (Set-Cookie, Retry-After); the adapter's responseMeta sends them. */
  resHeaders: Headers;
}

export const CSRF_HEADER = 'x-ambit-csrf';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function requestFacts(req: IncomingMessage, trustProxy: boolean): RequestFacts {
  const forwardedFor = trustProxy ? firstHeader(req.headers['x-forwarded-for'])?.split(',')[0]?.trim() : undefined;
  const forwardedProto = trustProxy ? firstHeader(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim() : undefined;
  const encrypted = 'encrypted' in req.socket && req.socket.encrypted === true;
  return {
    id: randomUUID(),
    clientIp: forwardedFor || req.socket.remoteAddress || 'unknown',
    https: encrypted || forwardedProto === 'https',
    csrfToken: firstHeader(req.headers[CSRF_HEADER]),
  };
}

export function createContext(services: BffServices, req: IncomingMessage): BffContext {
  const { principal, problem } = authenticate(req.headers, services.sessions, services.tokens);
  return { services, request: requestFacts(req, services.trustProxy), principal, authProblem: problem, resHeaders: new Headers() };
}
