import { describe, expect, it } from 'vitest';
import { ChainVerifier, type ChainRow } from '../../src/protocol/chain-verifier.js';
import { GENESIS_HASH } from '../../src/protocol/protocol-record.js';
import { mergeGaps } from '../../src/protocol/purge-gaps.js';

const h = (n: number) => n.toString(16).padStart(64, '0');
/** A sound chain of n rows: hash of seq i is h(i). */
const chain = (n: number): ChainRow[] =>
  Array.from({ length: n }, (_, i) => ({ seq: i + 1, prevHash: i === 0 ? GENESIS_HASH : h(i), hash: h(i + 1), computedHash: h(i + 1) }));

function run(rows: ChainRow[], gaps = [] as { fromSeq: number; toSeq: number; lastHash: string }[], head = { seq: 5, hash: h(5) }) {
  const v = new ChainVerifier('p', gaps);
  for (const r of rows) if (!v.feed(r)) break;
  return v.finish(head);
}

describe('ChainVerifier', () => {
  it('accepts a sound chain', () => {
    expect(run(chain(5))).toBeUndefined();
  });
  it('reports a modified record', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, computedHash: 'x' };
    expect(run(rows)).toMatchObject({ seq: 3, kind: 'modified' });
  });
  it('reports a gap as deletion unless a purge lists it with the right hash', () => {
    const rows = chain(5).filter((r) => r.seq > 2);
    expect(run(rows)).toMatchObject({ seq: 1, kind: 'deleted' });
    expect(run(rows, [{ fromSeq: 1, toSeq: 2, lastHash: h(2) }])).toBeUndefined();
    expect(run(rows, [{ fromSeq: 1, toSeq: 2, lastHash: h(9) }])).toMatchObject({ kind: 'deleted' });
    expect(run(rows, [{ fromSeq: 1, toSeq: 1, lastHash: h(2) }])).toMatchObject({ kind: 'deleted' });
  });
  it('reports a broken link as reordering', () => {
    const rows = chain(5);
    rows[3] = { ...rows[3]!, prevHash: h(1) };
    expect(run(rows)).toMatchObject({ seq: 4, kind: 'reordered' });
  });
  it('checks the tail against the head', () => {
    expect(run(chain(4))).toMatchObject({ seq: 5, kind: 'deleted' });
    expect(run(chain(5), [], { seq: 5, hash: h(7) })).toMatchObject({ seq: 5, kind: 'modified' });
    const v = new ChainVerifier('p', []);
    for (const r of chain(5)) v.feed(r);
    v.checkBeyondHead(7, 5);
    expect(v.finish({ seq: 5, hash: h(5) })).toMatchObject({ seq: 6, kind: 'inserted' });
  });
});

describe('mergeGaps', () => {
  it('joins adjacent ranges and keeps the hash of the later end', () => {
    expect(
      mergeGaps(
        [{ fromSeq: 1, toSeq: 10, lastHash: 'a' }],
        [
          { fromSeq: 11, toSeq: 20, lastHash: 'b' },
          { fromSeq: 22, toSeq: 25, lastHash: 'c' },
        ],
      ),
    ).toEqual([
      { fromSeq: 1, toSeq: 20, lastHash: 'b' },
      { fromSeq: 22, toSeq: 25, lastHash: 'c' },
    ]);
    expect(mergeGaps([{ fromSeq: 5, toSeq: 5, lastHash: 'x' }], [{ fromSeq: 1, toSeq: 4, lastHash: 'y' }, { fromSeq: 6, toSeq: 9, lastHash: 'z' }])).toEqual([
      { fromSeq: 1, toSeq: 9, lastHash: 'z' },
    ]);
  });
});
