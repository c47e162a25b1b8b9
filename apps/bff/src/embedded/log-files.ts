import { join } from 'node:path';

/** Where the embedded mesh keeps each process's output, under `<data-dir>/logs/`. */
export function podLogFile(dataDir: string, namespace: string, name: string): string {
  return join(dataDir, 'logs', 'pods', namespace, `${name}.log`);
}

export function ztunnelLogFile(dataDir: string, node: string): string {
  return join(dataDir, 'logs', 'ztunnel', `${node}.log`);
}

export function consoleLogFile(dataDir: string): string {
  return join(dataDir, 'logs', 'console.log');
}
