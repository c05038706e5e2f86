import { reportCryptoFallbacks } from "../../precompiles";
import { DEFAULT_HARDFORK } from "../chain/genesis";
import { untilStopSignal } from "../cli";
import { devnetBanner } from "./banner";
import { type L1Devnet, type L1DevnetOptions, startL1Devnet } from "./l1Devnet";

/**
 * Runs the devnet in the foreground until SIGINT/SIGTERM (shared by the CLI and the Hardhat
 * task): prints the banner, logs RPC errors, closes the server cleanly on a signal.
 */
export async function runL1DevnetForeground(
  options: L1DevnetOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  const started = Date.now();
  const devnet: L1Devnet = await startL1Devnet({
    ...options,
    onRpcError: (method, error) => log(`${method}: ${error.message}`),
    onMiningError: (error) => log(`mining failed: ${(error as Error).message}`),
  });
  log(
    devnetBanner(devnet, {
      fork: options.hardfork ?? DEFAULT_HARDFORK,
      blockTime: options.blockTime,
      startupMs: Date.now() - started,
      sinceCommandStartMs: process.uptime() * 1000,
    }),
  );
  reportCryptoFallbacks(log);
  await untilStopSignal();
  log("\nStopping L1 devnet");
  await devnet.stop().catch(() => {});
}
