import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Structured logs that carry ids, codes, sizes and timings — never message content. The
 * pipeline logs only such fields by construction; the redaction list is the safety net for
 * anything that slips in under a name that suggests personal data or secrets.
 */
export const REDACTED_PATHS = [
  'body', 'xml', 'envelope', 'payload', 'message', 'person', 'persons', 'suchprofil',
  'name', 'nachname', 'vornamen', 'geburtsdatum', 'anschrift', 'req.body', 'res.body',
  'headers.authorization', 'req.headers.authorization', 'privateKey', 'password',
  '*.body', '*.xml', '*.envelope', '*.payload', '*.person', '*.persons', '*.suchprofil',
];

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'xmeld-gateway' },
    redact: { paths: REDACTED_PATHS, remove: true },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
