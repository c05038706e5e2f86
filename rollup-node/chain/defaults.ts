/**
 * Defaults of a new chain, in a module that loads nothing heavy: the Hardhat plugin reads them while
 * its config loads (task parameters), where chain/genesis.ts would load the EVM and the precompiles.
 */
import type { CaptureThread } from "./captureProtocol";
import { DEFAULT_TARGET_GAS_LIMIT } from "./gasLimit";

export const DEFAULT_HARDFORK = "osaka";
/** A fresh chain starts at the gas limit its builder aims for, so its blocks keep that limit. */
export const DEFAULT_GAS_LIMIT = DEFAULT_TARGET_GAS_LIMIT;
/**
 * Where a chain captures its blocks' witnesses (chain/captureProtocol.ts). `main`: on a quiet
 * machine the worker took 43 % of the sequencer thread's CPU per transfer off it, but the block
 * waits for it under the chain's lock, so at a 200 ms block time throughput fell to 0.67–0.69 of
 * EDR against 1.08 on the chain's thread (docs/design/l2-throughput.md, stop 26, "The default").
 * The worker pays once the next block is built while the last one is captured.
 */
export const DEFAULT_CAPTURE_THREAD: CaptureThread = "main";
