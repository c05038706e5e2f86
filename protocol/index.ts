// What the node, the SDK, the tasks and the tests share about the rollup's protocol: messages
// and their hashing, the constants mirrored from Solidity, the contracts' ABIs with event and
// revert decoding, the rollup_* wire types with their codec, and the errors both sides raise.
// It depends on ethers and the TypeChain types only (ARCHITECTURE.md).
export * from "./contracts";
export * from "./errors";
export * from "./messages";
export * from "./revertReason";
export * from "./rpc";
