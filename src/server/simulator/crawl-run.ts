/**
 * The crawl run the progress bar follows: it advances with the pages the
 * healthy fetchers crawl, completes (or, rarely, fails), and after a pause
 * the next run starts. One progress id, so a dashboard shows one bar.
 */
import type { Payload } from '../../protocol/messages.ts';
import type { Random } from '../../lib/prng.ts';
import { clamp, round, type SimulatedMesh } from './simulated-mesh.ts';
import type { Timeline } from './timeline.ts';

const PHASES = ['seeding', 'fetching', 'parsing', 'indexing', 'finalizing'] as const;
/** Chance per second that a run fails: about once in half an hour. */
const FAILURE_PER_SECOND = 0.0006;

/** The current crawl run; `advance` once per tick. */
export class CrawlRun {
  private run: number;
  private pagesDone: number;
  private pagesTarget: number;
  private status: 'running' | 'complete' | 'failed' = 'running';

  constructor(
    private readonly mesh: SimulatedMesh,
    private readonly random: Random,
    private readonly timeline: Timeline,
    private readonly emit: (payload: Payload) => void,
  ) {
    this.run = random.int(120, 480);
    this.pagesTarget = this.targetPages();
    // Joined mid-run, so the bar is not empty on first sight.
    this.pagesDone = this.pagesTarget * random.between(0.05, 0.6);
  }

  /** Crawls for `seconds`, then reports where the run stands (or that it ended). */
  advance(seconds: number): void {
    if (this.status !== 'running') return;
    this.pagesDone += this.mesh.pagesPerSec() * seconds;
    if (this.random.chance(FAILURE_PER_SECOND * seconds)) {
      this.status = 'failed';
      this.emitProgress();
      this.emitEvent('error', `Crawl run #${this.run} failed: frontier checkpoint corrupted; ${formatCount(this.pagesDone)} pages kept`);
      this.timeline.schedule(this.random.between(8_000, 15_000), () => this.startNext());
    } else if (this.pagesDone >= this.pagesTarget) {
      this.pagesDone = this.pagesTarget;
      this.status = 'complete';
      this.emitProgress();
      this.emitEvent('info', `Crawl run #${this.run} complete: ${formatCount(this.pagesTarget)} pages`);
      this.timeline.schedule(this.random.between(8_000, 15_000), () => this.startNext());
    } else {
      this.emitProgress();
    }
  }

  emitProgress(): void {
    const percent = this.status === 'complete' ? 100 : clamp((this.pagesDone / this.pagesTarget) * 100, 0, 100);
    const step = Math.min(PHASES.length, Math.floor(percent / (100 / PHASES.length)) + 1);
    this.emit({
      type: 'progress',
      progress: {
        id: 'crawl',
        label: `Crawl run #${this.run} · ${PHASES[step - 1]}`,
        percent: round(percent, 1),
        status: this.status,
        step,
        steps: PHASES.length,
      },
    });
  }

  private startNext(): void {
    this.run++;
    this.pagesDone = 0;
    this.pagesTarget = this.targetPages();
    this.status = 'running';
    this.emitProgress();
    this.emitEvent('info', `Crawl run #${this.run} started from ${formatCount(this.random.int(500, 20_000))} seed URLs`);
  }

  /** A run lasts two and a half to four minutes at full strength. */
  private targetPages(): number {
    return this.mesh.nominalPagesPerSec() * this.random.between(150, 240);
  }

  private emitEvent(severity: 'info' | 'error', message: string): void {
    this.emit({ type: 'event', severity, nodeId: 'scheduler', message });
  }
}

/** `9812`, `14.2k`: counts as a person would write them in a message. */
export function formatCount(value: number): string {
  const n = Math.round(value);
  return n >= 10_000 ? `${round(n / 1000, 1)}k` : String(n);
}
