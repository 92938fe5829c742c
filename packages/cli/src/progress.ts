import type { RotateProgress } from '@credvault/core';
import { SingleBar } from 'cli-progress';

/** Shows rotation progress: a bar on a terminal, a plain line per 10% otherwise. */
export interface ProgressView {
  update(progress: RotateProgress): void;
  stop(): void;
}

function counts(p: RotateProgress, done: string): string {
  return `${p.rewrapped} ${done}, ${p.alreadyCurrent} current, ${p.changedMeanwhile} changed meanwhile, ${p.failed.length} failed`;
}

/**
 * A progress view on `stream` (stderr), a bar when it is a terminal. `done`: what the command
 * calls the records it wrote (`rewrapped`, `migrated`), shown with `progress.rewrapped`.
 */
export function progressView(
  label: string,
  stream: NodeJS.WriteStream,
  quiet: boolean,
  done = 'rewrapped',
): ProgressView {
  if (quiet) return { update: () => {}, stop: () => {} };
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rewrapped} ${done}, {failed} failed | ETA {eta_formatted}`,
      hideCursor: true,
    });
    let started = false;
    return {
      update(p) {
        const payload = { rewrapped: p.rewrapped, failed: p.failed.length };
        if (!started) bar.start(p.total ?? p.scanned, 0, payload);
        started = true;
        if (p.total === undefined) bar.setTotal(Math.max(p.scanned, 1));
        bar.update(p.scanned, payload);
      },
      stop: () => bar.stop(),
    };
  }
  let lastStep = -1;
  let last: RotateProgress | undefined;
  let printed = '';
  const format = (p: RotateProgress) => {
    const of =
      p.total === undefined ? '' : `/${p.total} (${p.total === 0 ? 100 : Math.floor((100 * p.scanned) / p.total)}%)`;
    return `${label}: ${p.scanned}${of} scanned, ${counts(p, done)}\n`;
  };
  const print = (text: string) => {
    printed = text;
    stream.write(text);
  };
  return {
    update(p) {
      last = p;
      const step = p.total === undefined || p.total === 0 ? p.scanned : Math.floor((10 * p.scanned) / p.total);
      if (step > lastStep) {
        lastStep = step;
        print(format(p));
      }
    },
    stop() {
      if (last !== undefined && format(last) !== printed) print(format(last)); // the final counts, once
    },
  };
}
