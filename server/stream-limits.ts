/**
 * Caps on live-stream (SSE) connections: each holds a socket and a queue for as long as the
 * dashboard is open, so one client address, or all of them together, get only so many.
 */

export interface StreamLimits {
  perServer: number;
  perAddress: number;
}

/** A thousand dashboards is what the server is benchmarked to serve (BENCHMARKS.md); one address rarely has more than a few tabs. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { perServer: 1_000, perAddress: 32 };

export type StreamAdmission = { admitted: true; release: () => void } | { admitted: false; reason: 'server' | 'address' };

export class StreamSlots {
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  constructor(private readonly limits: StreamLimits) {}

  admit(address: string): StreamAdmission {
    const mine = this.byAddress.get(address) ?? 0;
    if (this.total >= this.limits.perServer) return { admitted: false, reason: 'server' };
    if (mine >= this.limits.perAddress) return { admitted: false, reason: 'address' };
    this.total += 1;
    this.byAddress.set(address, mine + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.byAddress.get(address) ?? 1) - 1;
        if (left > 0) this.byAddress.set(address, left);
        else this.byAddress.delete(address);
      },
    };
  }

  open(): number {
    return this.total;
  }
}
