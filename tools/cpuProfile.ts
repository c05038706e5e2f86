import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

/** The V8 sampling profiler's interval, µs: fine enough for a few seconds of a block's work. */
const SAMPLING_INTERVAL_US = 500;

/**
 * Runs `work` under the V8 sampling profiler (this thread) and writes the profile to `file`
 * (open it in Chrome DevTools or `scripts/profile-top.ts`): a benchmark profiles its measured
 * part alone, not its start-up.
 */
export async function profiled<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  await post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = (await post("Profiler.stop")) as { profile: object };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}
