/**
 * The issuance ledger: what the CA signed, so the mTLS audit can list every workload's
 * certificate (identity, serial, issuer, validity) and judge its rotation without ever asking a
 * proxy. Bounded: the newest `perKey` certificates of each identity+node pair, and at most
 * `maxKeys` pairs (the pair issued to least recently goes first). Kept in `<dataDir>/ca/ledger.json`
 * (rewritten atomically after each issue, at most once in flight) so a restart still knows them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { caDirOf, writeFileAtomically } from './private-files';

export const LEDGER_FILE = 'ledger.json';

/** One certificate the CA signed. Times are ISO 8601. No key material: the CA never sees a private key. */
export interface IssuedCertificateRecord {
  /** SPIFFE id, the certificate's only name. */
  identity: string;
  /** Hex serial number, as `openssl x509 -serial` prints it (lower case). */
  serial: string;
  /** Subject of the signing certificate. */
  issuer: string;
  /** The node whose ztunnel asked for it. */
  node: string;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
}

export interface LedgerLimits {
  /** Certificates kept per identity+node; default 3 (current, previous, and the one before). */
  perKey: number;
  /** Identity+node pairs kept; default 10,000. */
  maxKeys: number;
}

export const DEFAULT_LEDGER_LIMITS: LedgerLimits = { perKey: 3, maxKeys: 10_000 };

export class CertificateLedger {
  /** `identity node` → newest first. Map order is insertion order: re-inserting on issue keeps the oldest pair first. */
  private readonly entries = new Map<string, IssuedCertificateRecord[]>();
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly limits: LedgerLimits,
    private readonly logger: Logger | undefined,
  ) {}

  /** In memory only (tests, tools). */
  static inMemory(limits: Partial<LedgerLimits> = {}): CertificateLedger {
    return new CertificateLedger(undefined, { ...DEFAULT_LEDGER_LIMITS, ...limits }, undefined);
  }

  /** Loads `<dataDir>/ca/ledger.json` if there is one; an unreadable file is logged and started afresh. */
  static async open(dataDir: string, logger?: Logger, limits: Partial<LedgerLimits> = {}): Promise<CertificateLedger> {
    const ledger = new CertificateLedger(join(caDirOf(dataDir), LEDGER_FILE), { ...DEFAULT_LEDGER_LIMITS, ...limits }, logger);
    let text: string | undefined;
    try {
      text = await readFile(ledger.file as string, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        logger?.warn({ err: error }, 'cannot read the certificate ledger; starting empty');
    }
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as { certificates?: unknown };
        const records = Array.isArray(parsed.certificates) ? parsed.certificates.filter(isRecord) : [];
        // Oldest first, so the newest ends up first within each key.
        records.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
        for (const record of records) ledger.remember(record);
      } catch (error) {
        logger?.warn({ err: error }, 'the certificate ledger is not valid JSON; starting empty');
      }
    }
    return ledger;
  }

  record(record: IssuedCertificateRecord): void {
    this.remember(record);
    if (this.file) this.scheduleSave();
  }

  /** Every kept certificate, newest first within each identity+node. */
  list(): IssuedCertificateRecord[] {
    const out: IssuedCertificateRecord[] = [];
    for (const records of this.entries.values()) out.push(...records);
    return out;
  }

  /** Resolves once what was recorded so far is on disk. */
  async flush(): Promise<void> {
    await this.saving;
  }

  private remember(record: IssuedCertificateRecord): void {
    const key = `${record.identity} ${record.node}`;
    const previous = this.entries.get(key) ?? [];
    this.entries.delete(key);
    this.entries.set(key, [record, ...previous.filter((r) => r.serial !== record.serial)].slice(0, this.limits.perKey));
    while (this.entries.size > this.limits.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  // One write in flight; issues during it are folded into the next write.
  private scheduleSave(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.saving = this.saving.then(async () => {
      this.dirty = false;
      try {
        await writeFileAtomically(this.file as string, `${JSON.stringify({ version: 1, certificates: this.list() })}\n`);
      } catch (error) {
        this.logger?.warn({ err: error }, 'cannot save the certificate ledger; it is kept in memory');
      }
    });
  }
}

function isRecord(value: unknown): value is IssuedCertificateRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return ['identity', 'serial', 'issuer', 'node', 'notBefore', 'notAfter', 'issuedAt'].every((field) => typeof r[field] === 'string');
}
