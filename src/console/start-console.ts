import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { NewProtocolRecord } from '../protocol/protocol-record.js';
import type { ProtocolStore } from '../protocol/protocol-store.js';
import type { TargetStats } from '../queue/target-stats.js';
import type { Reloader } from '../reload/reloader.js';
import { pemReader } from '../reload/hop-security-setup.js';
import { CertificateUsers, OneTimeToken, Sessions } from './console-auth.js';
import { createConsoleServer } from './console-server.js';
import type { StatusBoard } from './status-board.js';

export interface RunningConsole {
  url: string;
  /** The development sign-in token (admin.devToken), to print once. */
  devToken?: string;
  close(): Promise<void>;
}

export const BOARD_WINDOW_MINUTES = 15;

/** The admin listener with the console, on its own host and port (never the SOAP listener's). */
export async function startConsole(deps: {
  config: GatewayConfig;
  protocol: ProtocolStore;
  writer: { append(records: NewProtocolRecord[]): Promise<void> };
  reloader: Reloader;
  board: StatusBoard;
  queueStats: () => TargetStats[];
  log: Logger;
  clock?: () => Date;
}): Promise<RunningConsole> {
  const admin = deps.config.admin;
  const readPem = pemReader(deps.config);
  const token = admin.devToken ? new OneTimeToken() : undefined;
  const clock = deps.clock ?? (() => new Date());
  const app = createConsoleServer({
    protocol: deps.protocol,
    record: (operatorEvent) => deps.writer.append([{
      vorgangsnummer: `operator:${randomUUID()}`, hop: 'operator', at: clock(), messageType: null, operatorEvent,
    }]),
    reloader: deps.reloader,
    board: deps.board,
    boardWindowMinutes: BOARD_WINDOW_MINUTES,
    queueStats: deps.queueStats,
    sessions: new Sessions(),
    certificates: new CertificateUsers(admin.users, readPem),
    ...(token ? { token } : {}),
    ...(admin.tls ? { https: { key: readPem(admin.tls.key), cert: readPem(admin.tls.certificate), ca: admin.tls.clientCa.map(readPem) } } : {}),
    log: deps.log,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  if (token) deps.log.warn('console: one-time development token printed at start (admin.devToken); never in production');
  await app.listen({ host: admin.host, port: admin.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : admin.port;
  return {
    url: `${admin.tls ? 'https' : 'http'}://${admin.host}:${port}`,
    ...(token ? { devToken: token.value } : {}),
    close: () => app.close(),
  };
}
