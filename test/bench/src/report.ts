import { cpus, totalmem } from 'node:os';
import { cryptoBackend } from '@credvault/core';

/** A Markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export const ms = (value: number): string =>
  value >= 100 ? `${value.toFixed(0)} ms` : value >= 1 ? `${value.toFixed(2)} ms` : `${(value * 1000).toFixed(1)} µs`;
export const ratio = (value: number): string => `${value.toFixed(2)}x`;

/** Where the numbers were measured. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    `- machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}`,
    `- Node ${process.version}; credvault's XChaCha20-Poly1305 path: ${cryptoBackend()}`,
    `- run: ${new Date().toISOString()}`,
  ].join('\n');
}

/** Replaces the generated part of BENCHMARKS.md (between the markers), keeping the prose around it. */
export function splice(document: string, generated: string): string {
  const [start, end] = ['<!-- results:start -->', '<!-- results:end -->'];
  const block = `${start}\n${generated}\n${end}`;
  const a = document.indexOf(start);
  const b = document.indexOf(end);
  return a === -1 || b === -1
    ? `# Benchmarks\n\n${block}\n`
    : document.slice(0, a) + block + document.slice(b + end.length);
}
