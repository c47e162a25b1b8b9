import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { MeshClient } from './client';

/** Where `ambit` keeps the embedded store unless told otherwise. */
export const DEFAULT_DATA_DIR = '.ambit/data';

export interface GlobalOptions {
  dataDir: string;
}

/** Opens the client for one command and closes it afterwards, whatever happens. */
export async function withClient<T>(command: Command, work: (client: MeshClient) => T | Promise<T>): Promise<T> {
  const { dataDir } = command.optsWithGlobals<GlobalOptions>();
  // Loaded on use: commands that never touch the store (ztunnel, proxy-status) stay light.
  const { LocalClient } = await import('./client');
  const client = new LocalClient(resolve(dataDir), userInfo().username);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

export function print(text: string): void {
  if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
