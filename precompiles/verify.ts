// A second, light door into precompiles/: stateless verification and its errors only. A worker
// thread that re-executes blocks (the challenger's check pool) loads this instead of index.ts,
// whose proof-verification path pulls in snarkjs/ffjavascript: their `web-worker` shim takes any
// worker thread it is loaded in for one of its own and fails there.
export { ExecuteError, ExecuteErrorCode, isBlockInvalid } from "./errors";
export type { WriteRules } from "./forkSchedule";
export { verifyBlock } from "./verifyBlock";
