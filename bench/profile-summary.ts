/** `node --import tsx bench/profile-summary.ts DIR|FILE [TOP]`: self and inclusive time of a .cpuprofile. */
import { statSync } from 'node:fs';
import { fmt, table } from './lib/common.js';
import { listProfiles, summarizeProfile } from './lib/cpuprofile.js';

const target = process.argv[2] ?? 'bench/results/gateway.cpuprofile';
const top = Number(process.argv[3] ?? 25);
const file = statSync(target).isDirectory() ? listProfiles(target)[0] : target;
if (!file) throw new Error('no .cpuprofile found');
const s = summarizeProfile(file, top);
console.log(table(['area', 'ms', '%'], s.byArea.slice(0, 15).map((a) => [a.area, fmt(a.ms, 0), fmt(a.pct)])));
console.log();
console.log(table(['self', 'where', 'ms', '%'], s.self.map((e) => [e.name, e.where, fmt(e.selfMs, 0), fmt(e.selfPct)])));
console.log();
console.log(table(['inclusive (project)', 'where', 'ms', '%'], s.inclusive.map((e) => [e.name, e.where, fmt(e.totalMs, 0), fmt(e.totalPct)])));
