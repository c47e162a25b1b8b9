import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Canary } from '@ambit/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { callWebhooks, type Fetch } from './webhook-calls';

function canaryWithHook(url: string): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, webhooks: [{ name: 'gate', type: 'pre-rollout', url, timeout: '5s' }] },
    },
  } as unknown as Canary;
}

describe('webhook calls', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('passes on 2xx with Flagger’s payload, and fails on a redirect without following it', async () => {
    const seen: string[] = [];
    const base = await serve((request, response) => {
      seen.push(request.url ?? '');
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        if (request.url === '/ok') {
          expect(JSON.parse(body)).toMatchObject({ name: 'podinfo', namespace: 'test' });
          response.end('fine');
        } else if (request.url === '/moved') {
          response.writeHead(302, { location: `${base}/ok` }).end();
        } else response.writeHead(404).end();
      });
    });
    const [passed] = await callWebhooks(canaryWithHook(`${base}/ok`), 'pre-rollout', fetch as unknown as Fetch);
    expect(passed?.passed).toBe(true);
    const [redirected] = await callWebhooks(canaryWithHook(`${base}/moved`), 'pre-rollout', fetch as unknown as Fetch);
    expect(redirected?.passed).toBe(false);
    expect(redirected?.message).toContain('302');
    expect(seen).toEqual(['/ok', '/moved']);
  });

  it('keeps only the start of a large failing answer', async () => {
    const base = await serve((_request, response) => {
      response.writeHead(500);
      // 1 MiB of body: the controller must not buffer it all.
      for (let i = 0; i < 256; i++) response.write('x'.repeat(4096));
      response.end();
    });
    const [failed] = await callWebhooks(canaryWithHook(`${base}/big`), 'pre-rollout', fetch as unknown as Fetch);
    expect(failed?.passed).toBe(false);
    expect(failed?.message.length).toBeLessThan(300);
    expect(failed?.message).toMatch(/^pre-rollout gate failed: 500 x+$/);
  });
});
