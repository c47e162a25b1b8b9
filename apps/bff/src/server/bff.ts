import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelemetrySource } from '@ambit/control-plane/telemetry';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { type Logger, pino } from 'pino';
import { AuditLog } from './audit/audit-log';
import { ApiTokens } from './auth/api-tokens';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './auth/login-limiter';
import { DEFAULT_SESSION_TTL_MS, SessionStore } from './auth/sessions';
import { UserDirectory } from './auth/users';
import { type BffControlPlane, type BffServices, createContext } from './context';
import { openBffDatabase } from './database';
import { appRouter } from './router';
import { MAX_APPLY_BYTES } from './routers/resources.schema';

export const API_PATH = '/api/trpc';
export const READY_PATH = '/healthz/ready';
export const DEFAULT_BFF_PORT = 4000;

export interface BffOptions {
  /** The running control plane (what `startControlPlane()` returns). */
  controlPlane: BffControlPlane;
  /** The control plane's data directory; the BFF keeps users, sessions, tokens and the audit log in `<dataDir>/bff/bff.db`. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4000; 0 for any free port. */
  port?: number;
  logger?: Logger;
  /** Sign-in lifetime; default 12 h. */
  sessionTtlMs?: number;
  /** Failed sign-ins per username and address before 429; default 5 per minute. */
  loginLimits?: LoginLimits;
  /** Behind a reverse proxy: take the client address and https from X-Forwarded-For / X-Forwarded-Proto. Default false. */
  trustProxy?: boolean;
  /** Where traffic metrics come from (topology, mTLS audit); without it those views show no traffic. */
  telemetry?: TelemetrySource;
}

export interface Bff {
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  /** Set on the first start only: the generated admin account. Show it to the user once; it is not stored in clear anywhere. */
  readonly initialAdmin?: { username: string; password: string };
  close(): Promise<void>;
}

/** Body limit: the largest apply plus room for JSON escaping. */
const MAX_BODY_BYTES = 2 * MAX_APPLY_BYTES;

/**
 * Starts the backend-for-frontend: tRPC at /api/trpc (queries and mutations over HTTP,
 * subscriptions over SSE) and readiness at /healthz/ready, on node:http.
 */
export async function startBff(options: BffOptions): Promise<Bff> {
  const logger = options.logger ?? pino({ name: 'bff' });
  const db = openBffDatabase(options.dataDir);
  try {
    const services: BffServices = {
      controlPlane: options.controlPlane,
      users: new UserDirectory(db),
      sessions: new SessionStore(db, options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS),
      tokens: new ApiTokens(db),
      loginLimiter: new LoginLimiter(options.loginLimits ?? DEFAULT_LOGIN_LIMITS),
      audit: new AuditLog(db),
      logger,
      trustProxy: options.trustProxy ?? false,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    };
    const initialAdmin = await services.users.ensureInitialAdmin();
    // The password goes to the caller only; logs are kept and shipped.
    if (initialAdmin) logger.info({ username: initialAdmin.username }, 'created the initial admin user');

    const trpc = createHTTPHandler({
      router: appRouter,
      basePath: `${API_PATH}/`,
      maxBodySize: MAX_BODY_BYTES,
      createContext: ({ req }) => createContext(services, req),
      responseMeta: ({ ctx }) => (ctx ? { headers: ctx.resHeaders } : {}),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path }, 'procedure failed');
      },
    });

    let closing = false;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url?.split('?', 1)[0] ?? '/';
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'no-store');
      if (path === API_PATH || path.startsWith(`${API_PATH}/`)) {
        trpc(req, res);
        return;
      }
      if (path === READY_PATH) {
        res.writeHead(closing ? 503 : 200, { 'Content-Type': 'text/plain' }).end(closing ? 'closing\n' : 'ready\n');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `no such path: ${path}` }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_BFF_PORT, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    logger.info({ url: `${url}${API_PATH}` }, 'BFF ready');
    return {
      port: address.port,
      url,
      ...(initialAdmin ? { initialAdmin } : {}),
      async close() {
        if (closing) return;
        closing = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Change streams never end by themselves: cut every connection, idle or not.
        server.closeAllConnections();
        await closed;
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
