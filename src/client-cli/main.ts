#!/usr/bin/env node
/** @module The `datapump` executable: real streams and environment, Ctrl-C aborts a wait, the exit code is the command's. */
import { runDatapump } from './program.js';

const controller = new AbortController();
process.once('SIGINT', () => {
  // The first Ctrl-C ends a wait cleanly (the job goes on); a second one is Node's default.
  controller.abort();
});

process.exitCode = await runDatapump(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
