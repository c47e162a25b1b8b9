import { readFile } from 'node:fs/promises';
import { AmbitError } from '@ambit/shared/errors';

/**
 * The node token a proxy process presents to the control plane (xDS and CA), read from its file
 * for every connection and certificate request, so a reissued token applies without a restart.
 */
export async function readNodeToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AmbitError('InvalidArgument', `cannot read the node token file ${file}: ${(error as Error).message}`);
  }
  const value = text.trim();
  if (!value) throw new AmbitError('InvalidArgument', `the node token file ${file} is empty`);
  return value;
}
