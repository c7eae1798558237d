import { formatMs, type NetworkLimits } from "./limits";

/**
 * Watches one transfer and calls `expire` once, with a reason, when it breaks a NetworkLimits
 * rule: no byte for idleTimeoutMs; fewer than lowSpeedLimit bytes/s over a whole idleTimeoutMs
 * window; longer than maxTimeMs in all. `sample` returns the bytes moved so far (it is polled,
 * so the watched stream needs no extra listener). The timer never keeps the process alive.
 */
export class TransferWatchdog {
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private lastBytes = 0;
  private lastProgressAt = this.started;
  private windowStart = this.started;
  private windowBytes = 0;
  private done = false;

  constructor(
    private readonly limits: NetworkLimits,
    private readonly sample: () => number,
    private readonly expire: (reason: string) => void,
  ) {
    const tick = Math.max(
      20,
      Math.min(1000, Math.floor(Math.min(limits.idleTimeoutMs, limits.maxTimeMs) / 10)),
    );
    this.timer = setInterval(() => this.check(), tick);
    this.timer.unref();
  }

  /** Bytes seen so far (as last sampled). */
  get bytes(): number {
    return this.lastBytes;
  }

  stop(): void {
    this.done = true;
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.done) return;
    const now = Date.now();
    const bytes = this.sample();
    if (bytes > this.lastBytes) {
      this.windowBytes += bytes - this.lastBytes;
      this.lastBytes = bytes;
      this.lastProgressAt = now;
    }
    const { idleTimeoutMs, lowSpeedLimit, maxTimeMs } = this.limits;
    let reason: string | undefined;
    if (now - this.started >= maxTimeMs) {
      reason = `took longer than ${formatMs(maxTimeMs)} in all (${bytes} bytes received)`;
    } else if (
      now - this.lastProgressAt >= idleTimeoutMs ||
      (now - this.windowStart >= idleTimeoutMs && this.windowBytes === 0)
    ) {
      reason = `no data for ${formatMs(idleTimeoutMs)} (${bytes} bytes received)`;
    } else if (now - this.windowStart >= idleTimeoutMs) {
      const rate = (this.windowBytes * 1000) / (now - this.windowStart);
      if (rate < lowSpeedLimit) {
        reason = `slower than ${lowSpeedLimit} bytes/s for ${formatMs(idleTimeoutMs)} (${this.windowBytes} bytes in that time, ${bytes} in all)`;
      }
      this.windowStart = now;
      this.windowBytes = 0;
    }
    if (reason !== undefined) {
      this.stop();
      this.expire(reason);
    }
  }
}
