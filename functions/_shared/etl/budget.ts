import process from 'node:process';

/**
 * What one invocation may spend. An Edge Function request is killed past its CPU or wall-clock
 * limit, so a run does as many steps as fit and leaves the rest to the next invocation; under Node
 * both are unlimited and one invocation finishes the run. A step's cost is predicted from the
 * dearest step this invocation has done so far (the first step always runs: without it nothing
 * would ever progress).
 */

export interface BudgetLimits {
  /** Wall-clock ms per invocation; Infinity: none. */
  wallMs: number;
  /** CPU ms per invocation (user + system of this process); Infinity: none. */
  cpuMs: number;
}

export const UNLIMITED: BudgetLimits = { wallMs: Number.POSITIVE_INFINITY, cpuMs: Number.POSITIVE_INFINITY };

/** Supabase Free: 150 s of wall clock and 2 s of CPU per request; these leave a margin for start-up and the last commit. */
export const EDGE_DEFAULTS: BudgetLimits = { wallMs: 100_000, cpuMs: 1_200 };

function cpuNowMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export class InvocationBudget {
  private readonly wallStart = performance.now();
  private readonly cpuStart = cpuNowMs();
  private stepWall = 0;
  private stepCpu = 0;
  private steps = 0;

  constructor(readonly limits: BudgetLimits) {}

  get unlimited(): boolean {
    return !Number.isFinite(this.limits.wallMs) && !Number.isFinite(this.limits.cpuMs);
  }

  wallUsedMs(): number {
    return performance.now() - this.wallStart;
  }

  cpuUsedMs(): number {
    return cpuNowMs() - this.cpuStart;
  }

  /** Runs one step and remembers what it cost. */
  async measure<T>(work: () => Promise<T>): Promise<T> {
    const wall = performance.now();
    const cpu = cpuNowMs();
    try {
      return await work();
    } finally {
      this.steps += 1;
      this.stepWall = Math.max(this.stepWall, performance.now() - wall);
      this.stepCpu = Math.max(this.stepCpu, cpuNowMs() - cpu);
    }
  }

  /**
   * Why another step would not fit (null: it fits). `waitMs` is what the step must wait before its
   * request (credits of the current minute used up), counted against the wall clock.
   */
  refusal(waitMs: number): string | null {
    if (this.steps === 0) return null;
    const wall = this.wallUsedMs() + waitMs + this.stepWall;
    if (wall > this.limits.wallMs) return `wall clock: ${Math.round(wall)} ms needed of ${this.limits.wallMs}`;
    const cpu = this.cpuUsedMs() + this.stepCpu;
    if (cpu > this.limits.cpuMs) return `CPU: ${Math.round(cpu)} ms needed of ${this.limits.cpuMs}`;
    return null;
  }
}
