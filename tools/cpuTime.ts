// CPU time of this process (every thread), for benchmarks and attack tests that compare the CPU
// one input costs against another's in the same run: on shared machines wall time says little.

/** User + system CPU seconds this process has used so far. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
