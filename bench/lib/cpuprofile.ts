/** Summarises a V8 .cpuprofile: self time per function, and inclusive time of named project functions. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './common.js';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileEntry { name: string; where: string; selfMs: number; selfPct: number; totalMs?: number; totalPct?: number }

function where(url: string, line: number): string {
  if (url === '') return '(native)';
  const p = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const rel = p.startsWith(ROOT) ? path.relative(ROOT, p) : p;
  return `${rel.replace(/^node_modules\//, 'nm/')}:${line + 1}`;
}

export function summarizeProfile(file: string, top = 15): { totalMs: number; self: ProfileEntry[]; inclusive: ProfileEntry[]; byArea: Array<{ area: string; ms: number; pct: number }> } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs.entries()].filter(([id]) => ['(idle)', '(program)', '(garbage collector)'].includes(byId.get(id)?.callFrame.functionName ?? ''))
    .reduce((a, [, v]) => a + v, 0);
  void idle;
  const key = (n: Node): string => `${n.callFrame.functionName || '(anonymous)'}\u0000${where(n.callFrame.url, n.callFrame.lineNumber)}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    self.set(key(n), (self.get(key(n)) ?? 0) + us);
    // inclusive: every distinct function on the stack
    const seen = new Set<string>();
    let areaName: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      const k = key(node);
      if (!seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + us);
      }
      areaName ??= areaOf(node);
    }
    const a = areaName ?? areaOf(n) ?? 'other';
    area.set(a, (area.get(a) ?? 0) + us);
  }
  const entry = ([k, us]: [string, number]): ProfileEntry => {
    const [name = '', w = ''] = k.split('\u0000');
    return { name, where: w, selfMs: us / 1000, selfPct: (100 * us) / total };
  };
  return {
    totalMs: total / 1000,
    self: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(entry),
    inclusive: [...incl.entries()].filter(([k]) => k.includes('src/')).sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([k, us]) => ({ ...entry([k, us]), selfMs: (self.get(k) ?? 0) / 1000, selfPct: (100 * (self.get(k) ?? 0)) / total, totalMs: us / 1000, totalPct: (100 * us) / total })),
    byArea: [...area.entries()].sort((a, b) => b[1] - a[1]).map(([a, us]) => ({ area: a, ms: us / 1000, pct: (100 * us) / total })),
  };
}

/** The innermost frame that tells where the time goes (a library or a project folder). */
function areaOf(n: Node): string | undefined {
  const fn = n.callFrame.functionName;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)') return 'program (V8/native, unattributed)';
  const url = n.callFrame.url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return `nm:${m[1]}`;
  const s = /\/src\/([^/]+)\//.exec(url);
  if (s) return `src/${s[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0];
  if (fn === 'sign' || fn === 'verify') return 'crypto (native)';
  return undefined;
}

export function listProfiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
