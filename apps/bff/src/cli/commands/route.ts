import type { RouteChoice } from '@ambit/control-plane/simulate/index';
import { AmbitError } from '@ambit/shared';
import type { Command } from 'commander';
import { print } from '../context';
import { formatTable } from '../output/table';
import { addRequestOptions, parseHeader, type RequestOptions, storedSnapshot } from './authz';

/** `ambit route check`: which HTTPRoute rule a waypoint would apply to a request and which backends it may pick. */

function formatRoute(route: RouteChoice): string {
  const rule = route.ruleIndex >= 0 ? ` rule ${route.ruleIndex} match ${route.matchIndex}` : '';
  const lines = [`route: ${route.route || '(none)'}${rule} → ${route.action}${route.status ? ` ${route.status}` : ''}`, route.reason];
  if (route.backends.length > 0) {
    const rows = route.backends.map((b) => [
      b.service,
      b.port === undefined ? '-' : String(b.port),
      String(b.weight),
      `${(b.share * 100).toFixed(1)}%`,
      b.invalid ?? (b.endpoints.join(', ') || '(no healthy endpoint)'),
    ]);
    lines.push('', formatTable(['BACKEND', 'PORT', 'WEIGHT', 'SHARE', 'ENDPOINTS'], rows));
  }
  return lines.join('\n');
}

export function registerRoute(program: Command): void {
  const route = program.command('route').description('HTTP routing tools');
  addRequestOptions(
    route.command('check').description('Which HTTPRoute rule and backends a waypoint would choose for a request to a Service'),
  )
    .addHelpText(
      'after',
      '\nExits 0 when the request is forwarded to a backend, 1 otherwise (no match → 404, redirect, direct response, no waypoint).\n\nExample:\n  ambit route check --to-service demo/reviews --port 9080 --path /reviews/0 -H end-user:jason',
    )
    .action(async (options: RequestOptions, command: Command) => {
      if (options.toService === undefined)
        throw new AmbitError('InvalidArgument', 'route check needs --to-service: waypoints route service traffic');
      if (options.port === undefined) throw new AmbitError('InvalidArgument', 'name the service port: --port <port>');
      const servicePort = options.port;
      const { chooseRoute, findService } = await import('@ambit/control-plane/simulate/index');
      const snapshot = await storedSnapshot(command, options.trustDomain);
      const service = findService(snapshot, options.toService);
      const headers = Object.fromEntries((options.header ?? []).map(parseHeader));
      const host = options.host ?? headers.host ?? `${service.name}.${service.namespace}:${servicePort}`;
      const route = chooseRoute(snapshot, service, servicePort, {
        method: (options.request ?? 'GET').toUpperCase(),
        path: options.path ?? '/',
        host,
        headers,
      });
      const unserved = service.waypoint
        ? undefined
        : `note: no waypoint serves ${options.toService}; HTTPRoutes take effect only at a waypoint`;
      if (options.output === 'json') print(JSON.stringify({ ...route, waypoint: service.waypoint?.key ?? null }, null, 2));
      else print([formatRoute(route), ...(unserved ? ['', unserved] : [])].join('\n'));
      process.exitCode = route.action === 'Forward' && service.waypoint ? 0 : 1;
    });
}
