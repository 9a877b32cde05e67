/**
 * Child process for crash-safety.test.ts: appends the five hop records of one Vorgang per
 * transaction, as fast as it can, and prints each Vorgangsnummer once its append committed —
 * the moment the gateway would deliver the answer. The test kills it with SIGKILL mid-stream.
 *   crash-writer.ts sqlite <dataDir> | pglite <dataDir> | postgres <connectionString> <schema>
 * `sqlite` appends through the group commit, several Vorgänge in flight at once, as the gateway does.
 */
import { GroupCommitAppender } from '../../src/protocol/group-commit-appender.js';
import { PGliteProtocolStore } from '../../src/protocol/pglite-store.js';
import { SqliteProtocolStore } from '../../src/protocol/sqlite-store.js';
import { PostgresProtocolStore } from '../../src/protocol/postgres-store.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import { queryRecords } from './fixtures.js';

const [kind, target, schema] = process.argv.slice(2);
const t0 = new Date('2026-09-01T12:00:00Z');
if (kind === 'sqlite') {
  const appender = new GroupCommitAppender(await SqliteProtocolStore.open({ dataDir: target ?? '' }));
  const lane = async (l: number) => {
    for (let i = 0; ; i++) {
      const v = `VG-${l}-${i}`;
      await appender.append(queryRecords(v, new Date(t0.getTime() + i * 100)));
      process.stdout.write(`committed ${v}\n`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, l) => lane(l)));
}
const store: ProtocolStore =
  kind === 'postgres'
    ? await PostgresProtocolStore.open({ connectionString: target ?? '', schema: schema ?? 'public' })
    : await PGliteProtocolStore.open({ dataDir: target ?? '' });

for (let i = 0; ; i++) {
  await store.append(queryRecords(`VG-${i}`, new Date(t0.getTime() + i * 100)));
  process.stdout.write(`committed VG-${i}\n`);
}
