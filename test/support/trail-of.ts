import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';

/** The operator partition's records of the Vorgang whose `received` hop carries `uuid`, as the DPO reads them. */
export async function trailOf(store: ProtocolStore, uuid: string): Promise<ProtocolRecord[]> {
  const all: ProtocolRecord[] = [];
  for await (const r of store.export({}, { kind: 'dpo', id: 'dsb@test' })) all.push(r);
  const received = all.find((r) => r.hop === 'received' && r.nachrichtenUUID === uuid);
  return received === undefined ? [] : all.filter((r) => r.vorgangsnummer === received.vorgangsnummer);
}
