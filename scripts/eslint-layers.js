/**
 * The layers of src/ as lint rules: every import points down the list or to the shared base, so
 * the folder graph cannot grow a cycle. Checked by `npm run lint` (CI); test/architecture shows
 * that a planted violation fails.
 */
import path from 'node:path';

/** Lowest first. A folder imports its own files, folders of lower layers, and BASE. */
export const LAYERS = [
  ['xml', 'protocol', 'vorgang'],
  ['xmeld'],
  ['soap'],
  ['routing', 'rules'],
  ['config'],
  ['security'],
  ['parties'],
  ['answer'],
  ['queue'],
  ['dispatch'],
  ['dvdv'],
  ['reload'],
  ['message-work'],
  ['intake'],
  ['http'],
  ['console'],
  // Above everything: the tools. The composition root (src/gateway.ts) sits between http/console and them.
  ['simulator'],
  ['cli'],
];

/** Imported by anyone: the typed errors with their XMeld codes, the version, the timer race, the logger. */
export const BASE = ['errors.ts', 'version.ts', 'settle-within.ts', 'log'];

/** The composition root: it alone (and the command line above it) picks implementations. */
export const ROOT = 'gateway.ts';

/** Modules that are one of two implementations of an interface: chosen by the composition root only. */
export const IMPLEMENTATIONS = [
  'queue/memory-dispatch-queue.ts',
  'queue/bullmq-dispatch-queue.ts',
  'protocol/sqlite-store.ts',
  'protocol/pglite-store.ts',
  'protocol/postgres-store.ts',
  'protocol/create-protocol-store.ts',
  'message-work/worker-pool-message-work.ts',
];

/** Pure rules: no I/O may reach them. */
export const PURE = ['routing', 'rules', 'answer/merge-outcomes.ts', 'answer/outcome.ts'];
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|worker_threads|sqlite)$|^(pg|ioredis|bullmq|undici|fastify|piscina|@electric-sql\/pglite)(\/|$)/;

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));

/** `xml`, `gateway.ts`, … : the first path segment below src/, or undefined outside src/. */
function topOf(srcDir, file) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return { top: rel.split(path.sep)[0], rel: rel.split(path.sep).join('/') };
}

function resolveTs(fromFile, spec) {
  return path.resolve(path.dirname(fromFile), spec).replace(/\.(m?js)$/, (ext) => (ext === '.mjs' ? '.mts' : '.ts'));
}

/** Why `importer` may not import `imported` (both relative to src/), or undefined when it may. */
export function refusal(importer, imported, typeOnly = false) {
  const from = importer.split('/')[0];
  const to = imported.split('/')[0];
  if (from === to) return undefined;
  if (to === ROOT) return from === 'cli' ? undefined : 'only the command line starts the composition root (src/gateway.ts)';
  // Types of an implementation (its options, say) pick nothing; only values do.
  if (IMPLEMENTATIONS.includes(imported) && !typeOnly && from !== ROOT && from !== 'cli') {
    return `${imported} is an implementation: only the composition root (src/gateway.ts) picks it`;
  }
  if (BASE.includes(to) || from === ROOT) return undefined;
  const a = layerOf.get(from);
  const b = layerOf.get(to);
  if (a === undefined) return `src/${from} has no layer in scripts/eslint-layers.js`;
  if (b === undefined) return `src/${to} has no layer in scripts/eslint-layers.js`;
  if (b >= a) return `src/${from} may not import src/${to}: ${to} is ${b === a ? 'on the same layer' : 'above it'} (scripts/eslint-layers.js)`;
  return undefined;
}

function isPure(rel) {
  return PURE.some((p) => rel === p || rel.startsWith(`${p}/`));
}

const layering = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports point down the layers of src/' } },
  create(context) {
    const srcDir = path.join(context.cwd, 'src');
    const here = topOf(srcDir, context.filename);
    if (here === undefined) return {};
    const check = (node, spec) => {
      const typeOnly = node.importKind === 'type' || node.exportKind === 'type';
      if (typeof spec !== 'string') return;
      if (!spec.startsWith('.')) {
        if (isPure(here.rel) && IO_MODULES.test(spec)) context.report({ node, message: `${here.rel} is a pure rule: no I/O (${spec})` });
        return;
      }
      const target = topOf(srcDir, resolveTs(context.filename, spec));
      if (target === undefined) return;
      const why = refusal(here.rel, target.rel, typeOnly);
      if (why !== undefined) context.report({ node, message: why });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const layersPlugin = { rules: { layering } };
