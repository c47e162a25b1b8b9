import { Agent, request } from 'node:http';

/**
 * HTTP calls from a workload to another service, dialled from the workload's own address so that
 * its node's ztunnel knows who is calling, with keep-alive as real services use.
 */
export class UpstreamClient {
  private readonly agent: Agent;

  constructor(localAddress: string) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, localAddress });
  }

  get(
    host: string,
    port: number,
    path: string,
    headers: Record<string, string> = {},
    timeoutMs = 5_000,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const call = request({ host, port, path, method: 'GET', agent: this.agent, headers, timeout: timeoutMs }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      });
      call.on('timeout', () => call.destroy(new Error(`timed out after ${timeoutMs} ms calling ${host}:${port}${path}`)));
      call.on('error', reject);
      call.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
