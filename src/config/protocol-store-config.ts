import type { ProtocolStoreConfig } from '../protocol/create-protocol-store.js';
import type { GatewayConfig } from './gateway-config.js';

/** The one reading of `protocol:` for the store, used by the gateway and the CLI alike. */
export function protocolStoreConfig(config: GatewayConfig): ProtocolStoreConfig {
  return {
    ...(config.protocol.databaseUrl ? { databaseUrl: config.protocol.databaseUrl, schema: config.protocol.schema } : {}),
    dataDir: config.protocol.dataDir,
  };
}
