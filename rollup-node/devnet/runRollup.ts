import { untilStopSignal } from "../cli";
import { createLineLogger, quietRepeats } from "../logger";
import { rollupDevnetBanner } from "./rollupBanner";
import { DEFAULT_L2_BLOCK_TIME_MS, type RollupDevnetOptions, startRollupDevnet } from "./rollupDevnet";

/**
 * Runs the one-command devnet in the foreground until SIGINT/SIGTERM (shared by the CLI and the
 * Hardhat task): prints the banner, logs every cross-domain step, stops everything cleanly.
 */
export async function runRollupDevnetForeground(
  options: Omit<RollupDevnetOptions, "logger">,
  write: (line: string) => void = console.log,
): Promise<void> {
  const devnet = await startRollupDevnet({
    ...options,
    logger: (component) => quietRepeats(createLineLogger(component, write)),
  });
  write(
    rollupDevnetBanner(devnet, {
      l2BlockTimeMs: options.l2BlockTimeMs ?? DEFAULT_L2_BLOCK_TIME_MS,
      resumed: devnet.resumed,
      sinceCommandStartMs: process.uptime() * 1000,
    }),
  );
  // The devnet stops itself if its L1 thread dies: the command then ends with that error.
  const died = await Promise.race([untilStopSignal().then(() => undefined), devnet.stopped]);
  if (died !== undefined) throw died;
  write("\nStopping the L2 node and the L1 devnet");
  await devnet.stop().catch((error: unknown) => write(`error while stopping: ${(error as Error).message}`));
}
