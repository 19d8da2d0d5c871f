#!/usr/bin/env node
/** @module The `datapump` executable: real streams and environment, Ctrl-C aborts a wait, the exit code is the command's. */
import { runDatapump } from './program.js';

const controller = new AbortController();
process.once('SIGINT', () => {
  // The first Ctrl-C ends a wait cleanly (the job goes on); a second one is Node's default.
  controller.abort();
});

// A reader that went away (`datapump list | head -1`) is no failure of ours: stop quietly, as `cat` would, with
// the exit code so far (0 unless the command had already failed). Without a handler Node prints a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
// Nowhere left to report to: errors on a closed stderr are dropped (the exit code still says what happened).
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await runDatapump(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
