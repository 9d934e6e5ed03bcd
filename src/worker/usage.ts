import type { WorkerHeartbeatInput } from '../app/baton.js';

/**
 * What this worker's process uses, for its heartbeats: resident memory, JavaScript heap, and the
 * CPU time spent since the previous sample as a share of the wall time between them (100 = one
 * core busy all along). The first sample covers the time since the sampler was made.
 */
export class ProcessUsage {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  sample(): WorkerHeartbeatInput['usage'] {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const wallMicros = Math.max(1, (at - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    const { rss, heapUsed } = process.memoryUsage();
    const cpuPercent = Math.round(((cpu.user + cpu.system) / wallMicros) * 1000) / 10;
    return { rssBytes: rss, heapUsedBytes: heapUsed, cpuPercent };
  }
}
