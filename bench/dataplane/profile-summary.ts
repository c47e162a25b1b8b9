/**
 * `npx tsx bench/dataplane/profile-summary.ts <file.cpuprofile> [top]`: the functions with the
 * most self time in a V8 CPU profile (as --cpu-prof writes), as a share of the samples in which the
 * process was busy (not idle), to write down where a proxy's time goes.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

export function topSelfTime(profile: CpuProfile, top: number): { busySamples: number; top: { name: string; percent: number }[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  let busySamples = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busySamples++;
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const ranked = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, n]) => ({ name, percent: Math.round((n / busySamples) * 1000) / 10 }));
  return { busySamples, top: ranked };
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const { busySamples, top } = topSelfTime(profile, Number(process.argv[3] ?? 25));
  process.stdout.write(`${basename(file)}: ${busySamples} busy of ${profile.samples.length} samples over ${seconds.toFixed(1)} s\n`);
  for (const { name, percent } of top) {
    process.stdout.write(`${String(percent).padStart(5)} %  ${name}\n`);
  }
}
