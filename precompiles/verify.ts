// A second, light door into precompiles/: stateless verification and its errors only. A worker
// thread that re-executes blocks (the challenger's check pool) loads this instead of index.ts,
// whose proof-verification path pulls in snarkjs/ffjavascript: their `web-worker` shim takes any
// worker thread it is loaded in for one of its own and fails there.
export { ExecuteError, ExecuteErrorCode, isBlockInvalid } from "./errors";
export type { WriteRules } from "./forkSchedule";
export { verifyBlock } from "./verifyBlock";
// The witness capture's thread (rollup-node/chain/captureWorker.ts) re-executes a block as the
// verifier and records its witness: the recorder and what it needs, without the proof path.
export { transactionsRootOf } from "./blockRoots";
export { keccak256, prepareCrypto } from "./crypto";
export { genesisForkCommon } from "./forkSchedule";
export { KzgSetupError, LazyKzg, SHARED_KZG, loadMicroEthKzg } from "./kzg";
export type { KzgLoader } from "./kzg";
export { recordVerifierRun } from "./verifierStateManager";
export type { RecordedRun } from "./verifierStateManager";
export { InMemoryWritesDB, keyOf, toHex, valueBytes } from "./witness";
export type { StoredValue, Witness } from "./witness";
