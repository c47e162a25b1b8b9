import { readFileSync } from 'node:fs';
import type { SimulationResult } from '@ambit/control-plane/simulate/index';
import { AmbitError } from '@ambit/shared';
import { decodeManifests } from '@ambit/shared/yaml/codec';
import { z } from 'zod';
import { formatTable } from '../output/table';
import { type RequestOptions, simulationInputOf } from './authz';

/**
 * `ambit authz check --file cases.yaml`: a table of requests checked in one run, each with the
 * decision it is expected to get — a policy test suite a team keeps beside its policies.
 */

const header = z.string().regex(/^[^:\s]+$/, 'header names have no ":" or spaces');
const requestCase = z.strictObject({
  name: z.string().optional(),
  from: z.string().optional(),
  principal: z.string().optional(),
  sourceIp: z.string().optional(),
  toService: z.string().optional(),
  toWorkload: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  method: z.string().optional(),
  path: z.string().optional(),
  host: z.string().optional(),
  headers: z.record(header, z.string()).optional(),
  expect: z.enum(['allow', 'deny']).optional(),
});
const caseList = z.array(requestCase).min(1, 'the list holds no request');

export type RequestCase = z.infer<typeof requestCase>;

export interface CheckedCase {
  case: RequestCase;
  result: SimulationResult;
  decision: 'allow' | 'deny';
  /** The expectation (allow when the case names none) was met. */
  asExpected: boolean;
}

/** Reads a YAML or JSON list of requests (or `{ cases: [...] }`); errors name the case and field. */
export function readRequestCases(path: string): RequestCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AmbitError('InvalidArgument', `cannot read ${path}: ${(error as Error).message}`);
  }
  const [document, ...rest] = decodeManifests(text);
  if (!document || rest.length > 0) throw new AmbitError('InvalidArgument', `${path} must hold one YAML document: a list of requests`);
  const value = document.value;
  const list = value !== null && typeof value === 'object' && !Array.isArray(value) && 'cases' in value ? value.cases : value;
  const parsed = caseList.safeParse(list);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('')
        .replace(/^\./, ''),
      message: issue.message,
    }));
    throw new AmbitError('InvalidArgument', `${path} is not a list of requests`, details);
  }
  return parsed.data;
}

/** The same request a single `authz check` would build from its flags. */
export function optionsOfCase(item: RequestCase, trustDomain: string): RequestOptions {
  return {
    ...(item.from !== undefined ? { from: item.from } : {}),
    ...(item.principal !== undefined ? { principal: item.principal } : {}),
    ...(item.sourceIp !== undefined ? { sourceIp: item.sourceIp } : {}),
    ...(item.toService !== undefined ? { toService: item.toService } : {}),
    ...(item.toWorkload !== undefined ? { toWorkload: item.toWorkload } : {}),
    port: item.port,
    ...(item.method !== undefined ? { request: item.method } : {}),
    ...(item.path !== undefined ? { path: item.path } : {}),
    ...(item.host !== undefined ? { host: item.host } : {}),
    header: Object.entries(item.headers ?? {}).map(([name, value]) => `${name}:${value}`),
    trustDomain,
    output: 'json',
  };
}

export function checkCases(
  cases: readonly RequestCase[],
  trustDomain: string,
  simulate: (input: ReturnType<typeof simulationInputOf>) => SimulationResult,
): CheckedCase[] {
  return cases.map((item, index) => {
    let input: ReturnType<typeof simulationInputOf>;
    try {
      input = simulationInputOf(optionsOfCase(item, trustDomain));
    } catch (error) {
      throw new AmbitError('InvalidArgument', `case ${caseLabel(item, index)}: ${(error as Error).message}`);
    }
    const result = simulate(input);
    const decision = result.outcome === 'allow' ? 'allow' : 'deny';
    return { case: item, result, decision, asExpected: decision === (item.expect ?? 'allow') };
  });
}

function caseLabel(item: RequestCase, index: number): string {
  return item.name ?? `#${index + 1}`;
}

export function formatCheckedCases(checked: readonly CheckedCase[]): string {
  const rows = checked.map(({ case: item, result, decision, asExpected }, index) => {
    const deciding = result.hops.find((hop) => hop.decision === 'deny')?.decidedBy ?? result.hops.at(-1)?.decidedBy;
    return [
      caseLabel(item, index),
      item.from ?? item.principal ?? item.sourceIp ?? '-',
      `${item.toService ?? item.toWorkload}:${item.port}`,
      `${item.method ?? 'GET'} ${item.path ?? '/'}`,
      decision.toUpperCase(),
      (item.expect ?? 'allow').toUpperCase(),
      asExpected ? 'ok' : 'UNEXPECTED',
      deciding ? `${deciding.action} ${deciding.policy}` : '-',
    ];
  });
  const failed = checked.filter((c) => !c.asExpected).length;
  return [
    formatTable(['CASE', 'FROM', 'TO', 'REQUEST', 'DECISION', 'EXPECTED', 'RESULT', 'DECIDED BY'], rows),
    '',
    failed === 0 ? `${checked.length} cases, all as expected` : `${failed} of ${checked.length} cases not as expected`,
  ].join('\n');
}
