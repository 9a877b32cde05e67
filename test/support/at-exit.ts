/**
 * Clean-ups that must run even when the test process ends without its afterAll (a crash, a
 * worker killed on a timeout): processes and clusters started by the tests are killed then.
 * Returns the function that drops the clean-up once it is done the ordinary way.
 */
const atExit = new Set<() => void>();
let atExitHooked = false;
export function onExitOfTests(cleanUp: () => void): () => void {
  if (!atExitHooked) {
    atExitHooked = true;
    const runAll = (): void => {
      for (const f of atExit) {
        try {
          f();
        } catch {
          // the next one still runs
        }
      }
      atExit.clear();
    };
    process.once('exit', runAll);
    // Ended by a signal, 'exit' never comes: clean up, then die of the same signal.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        runAll();
        process.kill(process.pid, sig);
      });
    }
  }
  atExit.add(cleanUp);
  return () => atExit.delete(cleanUp);
}
