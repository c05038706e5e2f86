// The EXECUTE precompile as a pure library: no servers, no files.
export * from "./codec";
export * from "./errors";
export * from "./gas";
export { DEFAULT_CALL_TIMEOUT_MS, EXECUTE_ADDRESS, createExecutePrecompile } from "./precompile";
export { DEFAULT_YIELD_EVERY_MS, paceExecution, stopPastClaimedGas } from "./executionGuard";
export type { ExecutionPacing } from "./executionGuard";
export type { ExecutePrecompile, ExecutePrecompileOptions, ExecutionHook } from "./precompile";
export { SafeMerkleStateManager } from "./stateManager";
export { DEFAULT_HARDFORK, decodeHeader, l2Common, verifyBlock } from "./verifyBlock";
export type { VerifyBlockParams } from "./verifyBlock";
export { CODE_KEY_PREFIX, WitnessDB, decodeWitness, encodeWitness, valueBytes } from "./witness";
export type { StoredValue, Witness } from "./witness";
export { WitnessBlockchain } from "./witnessBlockchain";
export { RecordingDB } from "./witnessRecorder";
