// A third, light door into precompiles/: what a caller of EXECUTE needs to know about it (where it
// lives, what its failure codes mean) without loading it. index.ts pulls in the EVM, the trie and
// the proof path (≈ 0.5–0.7 CPU s); deploy/ and the rollup:* tasks only name the address and the
// codes (docs/design/task-startup.md).
export { ExecuteError, ExecuteErrorCode, isBlockInvalid } from "./errors";

/** Where EXECUTE lives: the first address after P256VERIFY (0x100), as in ethrex. */
export const EXECUTE_ADDRESS = "0x0000000000000000000000000000000000000101";
