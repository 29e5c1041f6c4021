// An unhandled rejection anywhere is a defect: fail the run instead of printing a warning.
process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
});
