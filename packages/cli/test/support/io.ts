import { main } from '../../src/index.js';

/** Runs the CLI in-process with captured output. */
export async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (sink: string[]) =>
    ({ isTTY: false, write: (s: string) => sink.push(s) > 0 }) as unknown as NodeJS.WriteStream;
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(['node', 'credvault', ...args], { stdout: stream(out), stderr: stream(err) });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.env = saved;
  }
}
