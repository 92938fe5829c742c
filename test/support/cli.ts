import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const BIN = new URL('../../packages/cli/src/bin.ts', import.meta.url).pathname;
const NODE_ARGS = ['--conditions=@credvault/source', '--import', 'tsx', BIN];
const exec = promisify(execFile);

/** Runs `credvault ...args` as a child process to completion. */
export async function runCli(args: string[], keys: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [...NODE_ARGS, ...args], {
      env: { ...process.env, CREDVAULT_KEYS: keys },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts `credvault ...args` and returns the child, its stderr so far, and its exit. */
export function startCli(
  args: string[],
  keys: string,
): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { env: { ...process.env, CREDVAULT_KEYS: keys } });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  child.stdout?.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exit };
}
