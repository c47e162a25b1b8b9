/**
 * The reference path: two haproxy instances (`nbthread 1`) in a chain with mutual TLS 1.3 between
 * them, L4 (`mode tcp`) or L7 (`mode http`). A throwaway CA and leaf certificates are made with
 * openssl in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchProcess, startProcess } from './processes';

const HAPROXY = '/usr/sbin/haproxy';

export interface HaproxyChain {
  /** Where clients connect: the first haproxy's plaintext listener. */
  readonly port: number;
  readonly processes: readonly BenchProcess[];
  stop(): Promise<void>;
}

export interface ChainOptions {
  mode: 'tcp' | 'http';
  dir: string;
  host: string;
  /** Two free ports on `host`: the front listener and the TLS hop. */
  ports: readonly [number, number];
  upstream: { host: string; port: number };
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A P-256 CA and one leaf each for the two haproxys, each leaf written with its key as haproxy wants it. */
export function makeCertificates(dir: string): { ca: string; front: string; back: string } {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '1', '-subj', '/CN=bench ca', '-out', 'ca.pem']);
  for (const name of ['front', 'back']) {
    openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
    writeFileSync(
      join(dir, `${name}.pem`),
      readFileSync(join(dir, `${name}.crt`), 'utf8') + readFileSync(join(dir, `${name}.key`), 'utf8'),
    );
  }
  return { ca: join(dir, 'ca.pem'), front: join(dir, 'front.pem'), back: join(dir, 'back.pem') };
}

function config(mode: 'tcp' | 'http', bind: string, server: string): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    '  ssl-default-bind-options ssl-min-ver TLSv1.3',
    '  ssl-default-server-options ssl-min-ver TLSv1.3',
    'defaults',
    `  mode ${mode}`,
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    ...(mode === 'http' ? ['  option http-keep-alive'] : []),
    'frontend in',
    `  bind ${bind}`,
    '  default_backend out',
    'backend out',
    `  server s1 ${server}`,
    '',
  ].join('\n');
}

export async function startHaproxyChain(options: ChainOptions): Promise<HaproxyChain> {
  const { dir, host, mode, upstream } = options;
  const [frontPort, hopPort] = options.ports;
  const certs = makeCertificates(dir);
  const backConfig = join(dir, `back-${mode}.cfg`);
  const frontConfig = join(dir, `front-${mode}.cfg`);
  writeFileSync(
    backConfig,
    config(
      mode,
      `${host}:${hopPort} ssl crt ${certs.back} ca-file ${certs.ca} verify required alpn h2,http/1.1`,
      `${upstream.host}:${upstream.port}`,
    ),
  );
  writeFileSync(
    frontConfig,
    config(
      mode,
      `${host}:${frontPort}`,
      `${host}:${hopPort} ssl crt ${certs.front} ca-file ${certs.ca} verify required verifyhost localhost`,
    ),
  );
  const processes: BenchProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    for (const file of [backConfig, frontConfig]) {
      // -db: stay in the foreground, so this pid is the haproxy doing the work.
      execFileSync(HAPROXY, ['-c', '-q', '-f', file]);
      processes.push(startProcess(`haproxy ${file}`, HAPROXY, ['-db', '-f', file]));
    }
    return { port: frontPort, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
