/** Shared bench helpers: paths, message material, /proc readers, percentiles. */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: bench/lib from source, .bench-build/bench/lib when compiled. */
export const ROOT = projectRoot(path.dirname(fileURLToPath(import.meta.url)));
export const BENCH_DIR = path.join(ROOT, 'bench');
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const FIXTURE_1330 = path.join(ROOT, 'fixtures/queries/1330-unique-hit.xml');

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

/** The fixture 1330 as a bare element (no prolog), with a placeholder for the nachrichtenUUID. */
let template: { before: string; after: string } | undefined;
function messageTemplate(): { before: string; after: string } {
  if (template) return template;
  const raw = readFileSync(FIXTURE_1330, 'utf8').replace(/^\uFEFF/, '').replace(/^<\?xml[^?]*\?>\s*/, '');
  const m = /<nachrichtenUUID>[^<]*<\/nachrichtenUUID>/.exec(raw);
  if (!m) throw new Error('fixture without nachrichtenUUID');
  template = {
    before: `${raw.slice(0, m.index)}<nachrichtenUUID>`,
    after: `</nachrichtenUUID>${raw.slice(m.index + m[0].length)}`,
  };
  return template;
}

/** The unique-hit 1330 with a fresh nachrichtenUUID. */
export function message1330(uuid: string = randomUUID()): string {
  const t = messageTemplate();
  return t.before + uuid + t.after;
}

/**
 * About `bytes` of extra SOAP header that a caller's message may carry (REQUEST_STRUCTURE_LIMITS:
 * text nodes of at most 8 KiB, one namespace declaration): 8000-byte text in some 650 elements
 * for 5 MB. The gateway verifies, canonicalizes and digests all of it.
 */
export function headerPadding(bytes: number): string {
  const text = '0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.repeat(100).slice(0, 8000);
  const item = `<bp:i>${text}</bp:i>`;
  return `<bp:pad xmlns:bp="urn:xmeld-gateway:bench">${item.repeat(Math.ceil(bytes / item.length))}</bp:pad>`;
}

/** SOAP 1.1 envelope around a message; optional extra header XML (e.g. padding). */
export function envelope11(message: string, headerXml = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Header>${headerXml}</soap:Header>`
    + `<soap:Body>${message}</soap:Body></soap:Envelope>`;
}

export const SOAP11_HEADERS = { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:xmeld-gateway:1:personensuche"' };

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const CLK_TCK = 100;

/** utime + stime of a process in seconds (children not included). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the comm field may contain spaces: split after the closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/** VmRSS and VmHWM (peak) of a process in MB. */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export interface Percentiles { n: number; mean: number; p50: number; p95: number; p99: number; max: number }

export function percentiles(values: ArrayLike<number>): Percentiles {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  if (n === 0) return { n: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const at = (q: number): number => a[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? NaN;
  let sum = 0;
  for (const v of a) sum += v;
  return { n, mean: sum / n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: a[n - 1] ?? NaN };
}

export function fmt(v: number | undefined, digits = 1): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  return v.toFixed(digits);
}

/** A plain-text table with right-aligned numeric columns. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Busy and total CPU seconds of the whole machine (all cores) from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}
