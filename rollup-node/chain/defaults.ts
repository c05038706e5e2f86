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
 * Where a chain captures its blocks' witnesses (chain/captureProtocol.ts): on a worker thread, off
 * the sequencer's own (docs/design/l2-throughput.md, stop 26).
 */
export const DEFAULT_CAPTURE_THREAD: CaptureThread = "worker";
