import { cpuSeconds } from "./cpuTime";

/** What `measured` took: its result, the CPU seconds it used and the largest heap growth seen (bytes). */
export interface Measured<T> {
  readonly result: T;
  readonly cpuSeconds: number;
  readonly heapGrowthBytes: number;
}

/**
 * Runs `work`, sampling the heap every `everyMs` (a sample fires whenever the work yields to the
 * event loop, which EXECUTE does between slices of work) and once right after it.
 */
export async function measured<T>(work: () => Promise<T>, everyMs = 2): Promise<Measured<T>> {
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, everyMs);
  const start = cpuSeconds();
  try {
    const result = await work();
    const seconds = cpuSeconds() - start;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { result, cpuSeconds: seconds, heapGrowthBytes: peak - base };
  } finally {
    clearInterval(sampler);
  }
}
