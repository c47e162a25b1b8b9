/** Closed-loop load with wrk: requests per second with keep-alive, or with a new connection per request. */
import { execFile } from 'node:child_process';

const WRK = '/usr/bin/wrk';

export interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  /** Socket errors and non-2xx answers together. */
  errors: number;
}

export function runWrk(url: string, options: { connections: number; seconds: number; close?: boolean }): Promise<WrkResult> {
  const args = ['-t', '1', '-c', String(options.connections), '-d', `${options.seconds}s`, '--timeout', '5s'];
  if (options.close) args.push('-H', 'Connection: close');
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile(WRK, args, { timeout: (options.seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}`));
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
      const requests = /(\d+) requests in/.exec(stdout)?.[1];
      if (!rps || !requests) return reject(new Error(`cannot read wrk's output: ${stdout}`));
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
      const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
      resolve({ requestsPerSecond: Number(rps), requests: Number(requests), errors: errors + non2xx });
    });
  });
}
