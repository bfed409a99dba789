/**
 * Preloaded (`node --import`) into every process the bench forks: when the harness goes away —
 * finished, crashed, or killed with SIGKILL — its IPC channel closes and this process exits too,
 * so no stack is ever left running.
 */
process.on('disconnect', () => process.exit(0));
