/** The same work done by libxml2 (xmllint) and libxmlsec1 (python3-xmlsec), for the ours/theirs ratios. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, BENCH_DIR } from './common.js';
import type { Material } from './stages.js';

export interface NativeResults {
  xmllint?: { version: string; parseUs: Record<string, number>; parseValidateUs: Record<string, number>; validateUs: Record<string, number>; spawnMs: number };
  xmlsec?: Record<string, number | Record<string, string>>;
  problems: string[];
}

const XSD = path.join(ROOT, 'schemas/xmeld-2511a/xmeld.xsd');

function wall(args: string[]): number {
  const t = performance.now();
  const r = spawnSync('xmllint', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`xmllint ${args.slice(0, 3).join(' ')}: ${r.stderr.toString().slice(0, 300)}`);
  return ms;
}

/**
 * Per-document time: one xmllint run over the file N times on the command line minus a run over
 * it once (process start and schema compilation cancel out), best of 5.
 */
function perDoc(extra: string[], file: string, n = 400): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const many = wall(['--noout', ...extra, ...Array.from({ length: n }, () => file)]);
    const one = wall(['--noout', ...extra, file]);
    best = Math.min(best, ((many - one) * 1000) / (n - 1));
  }
  return best;
}

export function runNative(m: Material, pkiDir: string, seconds: number): NativeResults {
  const problems: string[] = [];
  const res: NativeResults = { problems };
  try {
    const version = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).stderr.split('\n')[0] ?? '';
    let spawnMs = Infinity;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      spawnSync('xmllint', ['--version'], { stdio: 'ignore' });
      spawnMs = Math.min(spawnMs, performance.now() - t);
    }
    const f = m.files;
    const parseUs = {
      '1330 signed env': perDoc([], f['req1330-signed.xml'] as string),
      '1331 signed env': perDoc([], f['reply1331-signed-ec.xml'] as string),
      '1330': perDoc([], f['bare1330.xml'] as string),
      '1331': perDoc([], f['bare1331.xml'] as string),
    };
    const parseValidateUs = {
      '1330': perDoc(['--schema', XSD], f['bare1330.xml'] as string),
      '1331': perDoc(['--schema', XSD], f['bare1331.xml'] as string),
    };
    const validateUs = {
      '1330': Math.max(0, parseValidateUs['1330'] - parseUs['1330']),
      '1331': Math.max(0, parseValidateUs['1331'] - parseUs['1331']),
    };
    res.xmllint = { version, parseUs, parseValidateUs, validateUs, spawnMs };
  } catch (e) {
    problems.push(`xmllint: ${String(e)}`);
  }
  const py = spawnSync('/usr/bin/python3', [path.join(BENCH_DIR, 'native/xmlsec_bench.py'), m.dir, pkiDir, String(seconds)], { encoding: 'utf8', timeout: 300_000 });
  if (py.status === 0) {
    try {
      res.xmlsec = JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    } catch (e) {
      problems.push(`python3-xmlsec: unreadable output ${String(e)}`);
    }
  } else {
    problems.push(`python3-xmlsec: ${(py.stderr || py.error?.message || '').trim().split('\n').slice(-2).join(' ')} (apt-get install -y python3-xmlsec python3-lxml)`);
  }
  return res;
}
