// The EXECUTE precompile as a pure library: no servers, no files. Code outside precompiles/
// imports from here only (ARCHITECTURE.md; `npm run check:layers` enforces it), so the modules
// behind this file can be split or renamed without touching the node.
export { receiptsRootOf, transactionsRootOf } from "./blockRoots";
export { CurveCheckedAdditionBLS, SHARED_BLS, evmOptions } from "./bls";
export * from "./codec";
export * from "./errors";
export { EXECUTE_ADDRESS } from "./abi";
export * from "./gas";
export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_EXECUTE_MEMO_BYTES,
  DEFAULT_EXECUTE_MEMO_ENTRIES,
  ExecuteMemoConfigError,
  createExecutePrecompile,
} from "./precompile";
export { DEFAULT_YIELD_EVERY_MS, paceExecution, stopPastClaimedGas } from "./executionGuard";
export type { ExecutionPacing } from "./executionGuard";
export type { ExecuteMemoOptions, ExecutePrecompile, ExecutePrecompileOptions, ExecutionHook } from "./precompile";
export { SafeMerkleStateManager } from "./stateManager";
export {
  BlockBufferedStateManager,
  encodeStorageValue,
  recordVerifierRun,
  runBlockAsVerifier,
  runBlockWith,
  verifierStateManager,
} from "./verifierStateManager";
export type {
  RecordedRun,
  RecordedRunParams,
  RunBlockWithOptions,
  VerifierStateManagerOptions,
} from "./verifierStateManager";
export {
  DEFAULT_HARDFORK,
  decodeHeader,
  executionView,
  l2Common,
  resultOf,
  verifyBlock,
} from "./verifyBlock";
export { DecodedNodeTrie } from "./decodedNodeTrie";
export { serializedOnce } from "./blockBody";
export { MAX_RLP_DEPTH, RlpTooDeepError, checkRlpDepth, decodeBoundedRlp } from "./rlpDepth";
export type { VerifyBlockParams } from "./verifyBlock";
export {
  CODE_KEY_PREFIX,
  InMemoryWritesDB,
  WitnessDB,
  decodeWitness,
  encodeWitness,
  keyOf,
  valueBytes,
} from "./witness";
export type { StoredValue, Witness } from "./witness";
export { WitnessBlockchain } from "./witnessBlockchain";
export { RecordingDB } from "./witnessRecorder";
export { EMPTY_REQUESTS_HASH } from "./headerRules";
export {
  DEFAULT_VERIFIER_WRITES,
  VERIFIER_WRITES,
  WriteRulesError,
  checkWriteRules,
  describeWriteRules,
  genesisForkCommon,
  sameWriteRules,
  writeRuleAt,
  writeRulesFromJson,
  writeRulesToJson,
} from "./forkSchedule";
export type {
  ScheduledHeader,
  VerifierWrites,
  WriteRuleStep,
  WriteRuleStepJson,
  WriteRules,
  WriteRulesJson,
} from "./forkSchedule";
export { SystemCallError, checkUncheckedSystemContracts, watchSystemCalls } from "./systemCalls";
export {
  BEACON_ROOTS,
  CONSOLIDATION_REQUESTS,
  HISTORY_STORAGE,
  SYSTEM_CONTRACTS,
  WITHDRAWAL_REQUESTS,
} from "./systemContracts";
export type { SystemContract } from "./systemContracts";
// The proof-verification path (EXECUTE's proof mode).
export {
  decodeExecutionProofs,
  decodeGroth16Proof,
  encodeExecutionProofs,
  encodeGroth16Key,
  encodeGroth16Proof,
  encodeProofBundle,
  groth16KeyFromSnarkjs,
} from "./proofs/codec";
export type { SnarkjsVerificationKey } from "./proofs/codec";
export { commitmentToField, executionCommitment } from "./proofs/commitment";
export { ProofType } from "./proofs/types";
export type { ExecutionProof, ProofBundle, ProofPolicy } from "./proofs/types";
export { countValidProofs } from "./proofs/verifyProofs";

// The crypto every Common uses (native or WebAssembly where it loads, noble otherwise).
export { cryptoCandidates, cryptoChoice, fastCrypto, jsCrypto, prepareCrypto, reportCryptoFallbacks } from "./crypto";
export type { CryptoCandidates, CryptoChoice } from "./crypto";
