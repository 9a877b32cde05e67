/** Bench child process: the simulated registers of all 16 Länder on an ephemeral loopback port. */
import { startSimulatedRegisters } from '../../src/simulator/server.js';
import { benchSimulatorSecurity, loadBenchPki } from '../lib/security-wiring.js';

const signed = process.env['BENCH_SECURITY'] === 'signed';
const sim = await startSimulatedRegisters({
  host: '127.0.0.1',
  port: 0,
  ...(signed ? { security: benchSimulatorSecurity(await loadBenchPki(process.env['BENCH_PKI_DIR'] || undefined)) } : {}),
});
process.send?.({ type: 'ready', url: sim.baseUrl, pid: process.pid, signed });
process.on('message', (m: { type?: string }) => {
  if (m.type === 'stop') void sim.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
