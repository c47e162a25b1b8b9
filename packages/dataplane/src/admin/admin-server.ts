import { isIP } from 'node:net';
import { AmbitError } from '@ambit/shared/errors';
import type { Logger } from 'pino';
import type { FlowRing } from '../flows/flow-ring';
import type { CertificateManager } from '../identity/manager';
import type { ProxyState } from '../state/proxy-state';
import { type HttpListener, listenHttp, notFound, reply, replyJson } from './http-listener';

/**
 * :15000 — the admin interface, on a loopback address only: `/config_dump` (what the proxy knows:
 * the workload API state, plus what the proxy adds, such as a waypoint's routes and policies),
 * `/certs` (what it holds), `/logging` (GET shows, POST `?level=` changes), `/quitquitquit` (POST),
 * `/debug/flows?after=<sequence>` (recent authorization decisions, when the proxy keeps them).
 */

export const DEFAULT_ADMIN_HOST = '127.0.0.1';

export interface AdminServerOptions {
  /** A loopback address (several ztunnels on one machine each take their node's); default 127.0.0.1. */
  host?: string;
  port: number;
  node: string;
  state: ProxyState;
  certificates: CertificateManager;
  /** More of the config dump, beside the state (a waypoint's routes, endpoints and policies; the xDS client's status). */
  configDump?: () => Record<string, unknown>;
  /** The proxy's loggers (root and children), whose level `/logging` shows and sets. */
  loggers: readonly Logger[];
  /** Called by `/quitquitquit`, after the answer is sent. */
  quit(): void;
  /** Recent authorization decisions, served at `/debug/flows?after=<sequence>`. */
  flows?: FlowRing;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export function startAdminServer(options: AdminServerOptions): Promise<HttpListener> {
  const host = options.host ?? DEFAULT_ADMIN_HOST;
  // The admin port can stop the proxy and change its logging: never on an address others reach.
  if (!isLoopback(host)) return Promise.reject(new AmbitError('InvalidArgument', `the admin address must be loopback, not ${host}`));
  return listenHttp(host, options.port, (request, response, url) => {
    switch (url.pathname) {
      case '/config_dump':
        replyJson(response, 200, { node: options.node, ...options.state.snapshot(), ...options.configDump?.() });
        return;
      case '/certs':
        replyJson(response, 200, { certificates: options.certificates.status() });
        return;
      case '/logging': {
        const level = url.searchParams.get('level');
        if (level === null) {
          replyJson(response, 200, { level: options.loggers[0]?.level });
          return;
        }
        if (request.method !== 'POST') {
          reply(response, 405, 'text/plain; charset=utf-8', 'change the level with POST /logging?level=<level>\n');
          return;
        }
        if (!LEVELS.has(level)) {
          reply(response, 400, 'text/plain; charset=utf-8', `level must be one of ${[...LEVELS].join(', ')}\n`);
          return;
        }
        for (const logger of options.loggers) logger.level = level;
        replyJson(response, 200, { level });
        return;
      }
      case '/debug/flows': {
        if (!options.flows) break;
        const after = Number(url.searchParams.get('after') ?? 0);
        replyJson(response, 200, options.flows.after(Number.isFinite(after) ? after : 0));
        return;
      }
      case '/quitquitquit':
        if (request.method !== 'POST') {
          reply(response, 405, 'text/plain; charset=utf-8', 'use POST\n');
          return;
        }
        reply(response, 200, 'text/plain; charset=utf-8', 'OK\n');
        response.once('finish', () => options.quit());
        return;
      default:
        break;
    }
    notFound(response, url);
  });
}

/** 127.0.0.0/8 or ::1. */
function isLoopback(host: string): boolean {
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
}
