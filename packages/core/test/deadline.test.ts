import { describe, expect, it } from 'vitest';
import { withDeadline } from '../src/index.js';

const mark = (error: unknown) => new Error(`failed: ${error instanceof Error ? error.message : String(error)}`);

describe('withDeadline', () => {
  it('resolves with what the work resolves to', async () => {
    expect(await withDeadline(1000, async () => 42, mark)).toBe(42);
  });

  it('rejects with what fail makes of a rejection or a synchronous throw', async () => {
    await expect(withDeadline(1000, () => Promise.reject(new Error('boom')), mark)).rejects.toThrow('failed: boom');
    const throws = (): Promise<never> => {
      throw new Error('at once');
    };
    await expect(withDeadline(1000, throws, mark)).rejects.toThrow('failed: at once');
  });

  it('rejects at the timeout, with fail seeing the state of the call then, and ignores a late answer', async () => {
    let stage = 'connecting';
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 400));
    const call = withDeadline(
      100,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20)); // connected after a while
        stage = 'querying';
        return late;
      },
      (error) => new Error(`${stage}: ${(error as Error).message}`),
    );
    await expect(call).rejects.toThrow('querying: timed out after 100 ms'); // before the answer at 400 ms
    await late; // settles after the rejection: no unhandled rejection, no second settlement
  });

  it('calls fail once: not again for the work failing after the timeout; what fail throws is the rejection', async () => {
    let calls = 0;
    let failLate: (error: Error) => void = () => {};
    const late = new Promise<never>((_, reject) => {
      failLate = reject;
    });
    const call = withDeadline(
      50,
      () => late,
      (error) => {
        calls += 1;
        return error;
      },
    );
    await expect(call).rejects.toThrow('timed out after 50 ms');
    failLate(new Error('after the timeout'));
    await late.catch(() => {});
    expect(calls).toBe(1);
    const throwing = withDeadline(
      1000,
      () => Promise.reject(new Error('work')),
      () => {
        throw new Error('fail threw');
      },
    );
    await expect(throwing).rejects.toThrow('fail threw');
  });
});
