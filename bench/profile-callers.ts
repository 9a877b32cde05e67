/**
 * `node --import tsx bench/profile-callers.ts FILE.cpuprofile REGEX`: self time spent in frames
 * matching REGEX (function@path), attributed to the nearest project function (src/) above them.
 */
import { readFileSync } from 'node:fs';

interface ProfNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Prof { nodes: ProfNode[]; samples: number[]; timeDeltas: number[] }

const [file, pattern] = process.argv.slice(2);
if (!file || !pattern) throw new Error('usage: profile-callers.ts FILE.cpuprofile REGEX');
const prof = JSON.parse(readFileSync(file, 'utf8')) as Prof;
const pat = new RegExp(pattern);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));

const label = (n: ProfNode): string =>
  `${n.callFrame.functionName || '(anonymous)'}@${n.callFrame.url.replace(/.*\/(node_modules|src)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const agg = new Map<string, number>();
for (const [id, us] of self) {
  const stack: string[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (!n) break;
    stack.push(label(n));
  }
  const at = stack.findIndex((f) => pat.test(f));
  if (at < 0) continue;
  const caller = stack.slice(at).find((f) => f.includes('src/')) ?? '(no project frame)';
  agg.set(caller, (agg.get(caller) ?? 0) + us);
}
for (const [k, v] of [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}
