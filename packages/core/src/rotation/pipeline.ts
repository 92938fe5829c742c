import type { TelemetrySpan } from '../telemetry/index.js';
import type { RotationRun } from './run.js';
import type { RotateProgress } from './types.js';
import type { Candidate, Write } from './write-back.js';

/**
 * Envelope text (in UTF-16 units) above which the batches at an executor are landed down to
 * fewer than one per worker. Each record's text lives from its read until its write lands; in a
 * longer pipeline it outlives V8's young generation and piles up in the old one between full
 * collections (rotating 100,000 SQLite records in batches of 500, the main thread's peak heap went
 * from 105 to 55-60 MB with this bound).
 */
const IN_FLIGHT_CHARS = 1 << 20;

/**
 * Batches are written while the next ones are read and rewrapped: I/O and crypto overlap. In
 * this thread one batch is rewrapped at a time. An executor is handed each batch as it fills;
 * then the oldest are landed until fewer than two per worker remain, and until their envelope
 * text is within IN_FLIGHT_CHARS or fewer than one per worker remain (retries are not counted).
 */
export class BatchPipeline {
  private batch: Candidate[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly rewrapping: InFlight[] = [];
  private inFlightChars = 0;
  private readonly workers: number;
  private readonly most: number;

  constructor(
    private readonly run: RotationRun,
    private readonly onProgress: ((progress: RotateProgress) => void) | undefined,
  ) {
    const { executor } = run.setup;
    const concurrency = executor?.concurrency;
    this.workers =
      typeof concurrency === 'number' && Number.isSafeInteger(concurrency) && concurrency > 0 ? concurrency : 1;
    this.most = executor === undefined ? 1 : this.workers * 2;
  }

  /** The number of candidates in the batch being filled. */
  get pending(): number {
    return this.batch.length;
  }

  add(candidate: Candidate): void {
    this.batch.push(candidate);
  }

  /** Hands the batch in hand to the rewrapper, then lands the oldest while the pipeline is full. */
  async flush(): Promise<void> {
    const { batch } = this;
    const span = this.run.setup.hooks?.batch?.(batch.length);
    const job = span === undefined ? this.run.prepare(batch) : span.run(() => this.run.prepare(batch));
    job.catch(() => {}); // awaited in order by landOldest; this only keeps a later failure from going unhandled
    const chars = batch.reduce((sum, candidate) => sum + candidate.stored.length, 0);
    this.rewrapping.push(new InFlight(job, chars, span));
    this.inFlightChars += chars;
    this.batch = [];
    while (this.full()) await this.landOldest();
  }

  /** Flushes what is in hand and lands every batch. */
  async drain(): Promise<void> {
    if (this.batch.length > 0) await this.flush();
    while (this.rewrapping.length > 0) await this.landOldest();
    await this.writing;
  }

  /** After the scan failed: waits for the write in flight, whatever it gives, so that nothing is still writing once rotate throws. */
  async abandon(): Promise<void> {
    await this.writing.catch(() => {});
  }

  private full(): boolean {
    const { rewrapping, workers } = this;
    return rewrapping.length >= this.most || (rewrapping.length >= workers && this.inFlightChars > IN_FLIGHT_CHARS);
  }

  private async landOldest(): Promise<void> {
    const oldest = this.rewrapping.shift() as InFlight;
    this.inFlightChars -= oldest.chars;
    const { span } = oldest;
    let writes: Write[];
    try {
      writes = await oldest.job;
    } catch (error) {
      span?.end(error);
      await this.writing.catch(() => {}); // nothing goes on writing after rotate has thrown
      throw error;
    }
    await this.writing.catch((error: unknown) => {
      span?.end(error);
      throw error;
    });
    this.onProgress?.(this.run.progress()); // counts the writes landed so far; this batch's lands next
    this.writing =
      span === undefined
        ? this.run.write(writes)
        : endAfter(
            span,
            span.run(() => this.run.write(writes)),
          );
  }
}

/** `written`, ending `span` when it settles. */
function endAfter(span: TelemetrySpan, written: Promise<void>): Promise<void> {
  return written.then(
    () => span.end(),
    (error: unknown) => {
      span.end(error);
      throw error;
    },
  );
}

/**
 * A batch at the rewrapper: its writes to come, the length of its stored envelopes, and its span
 * (with telemetry). A class, not a literal (why: `tuple` in `write-back`).
 */
class InFlight {
  constructor(
    readonly job: Promise<Write[]>,
    readonly chars: number,
    readonly span: TelemetrySpan | undefined,
  ) {}
}
