/** @module Progress while waiting: one redrawn line on a terminal, plain timestamped lines otherwise (or when asked). */
import type { WaitProgress } from '../client/index.js';

export interface OutStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressReporter {
  update(progress: WaitProgress): void;
  /** Ends the live line (a terminal gets its newline); nothing more is drawn. */
  stop(): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Whether to draw the live line: only on a TTY, and not when the user said no to escape sequences: `NO_COLOR`
 * set to anything (https://no-color.org; the live line is all the styling there is) or `TERM=dumb` (a terminal
 * that cannot clear a line, such as Emacs's shell buffer). Otherwise progress is plain lines.
 */
export function livelyTerminal(out: OutStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (!out.isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** `0:07`, `12:03`, `1:02:03` */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * On a TTY: `\r` + clear line + `⠹ PDBADMIN,JOB  EXECUTING  0:03  Percent done: 40`, redrawn every second and on
 * each poll. `stop()` draws the line once more without its spinner, so the last state stays on screen and no
 * glyph is left behind on the line the final output follows.
 */
export function ttyProgress(out: OutStream, ref: string, now: () => number = Date.now): ProgressReporter {
  const started = now();
  let frame = 0;
  let last: WaitProgress | undefined;
  let stopped = false;
  const draw = (spinner = true) => {
    if (stopped) return;
    const state = last?.state ?? 'waiting';
    const tail = last?.lastLogLine ? `  ${last.lastLogLine}` : '';
    const glyph = spinner ? `${SPINNER[frame++ % SPINNER.length]} ` : '';
    let line = `${glyph}${ref}  ${state}  ${formatElapsed(now() - started)}${tail}`;
    // A pty without a size (script, CI) reports 0 columns: assume 80.
    const width = (out.columns && out.columns >= 20 ? out.columns : 80) - 1;
    if (line.length > width) line = `${line.slice(0, Math.max(0, width - 1))}…`;
    out.write(`\r\x1b[2K${line}`);
  };
  const timer = setInterval(() => draw(), 1000);
  timer.unref();
  draw();
  return {
    update(progress) {
      last = progress;
      draw();
    },
    stop() {
      if (stopped) return;
      draw(false);
      stopped = true;
      clearInterval(timer);
      out.write('\n');
    },
  };
}

/** Not a TTY: one `2025-01-31T10:00:03Z PDBADMIN,JOB EXECUTING 0:03 Percent done: 40` line whenever state or log line changes. */
export function plainProgress(out: OutStream, ref: string, now: () => number = Date.now): ProgressReporter {
  const started = now();
  let previous = '';
  return {
    update(progress) {
      const key = `${progress.state}\u0000${progress.lastLogLine ?? ''}`;
      if (key === previous) return;
      previous = key;
      const at = new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      out.write(
        `${at} ${ref} ${progress.state} ${formatElapsed(now() - started)}${progress.lastLogLine ? ` ${progress.lastLogLine}` : ''}\n`,
      );
    },
    stop() {},
  };
}

export const silentProgress: ProgressReporter = { update() {}, stop() {} };
