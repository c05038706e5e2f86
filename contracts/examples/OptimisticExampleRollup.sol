// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NativeRollup} from "../rollup/NativeRollup.sol";
import {OptimisticRollup} from "../rollup/OptimisticRollup.sol";
import {ProofPolicy} from "../rollup/ProofPolicy.sol";

/// @title OptimisticExampleRollup
/// @notice A native rollup with the optimistic fallback: the sequencer may propose blocks with a
/// bond (final after the challenge window unless a challenge shows them invalid), prove them later
/// with k-of-n proofs to finalize them at once, or `advance` verified blocks when none is pending.
contract OptimisticExampleRollup is OptimisticRollup {
    /// @param l2ChainId The L2 chain id.
    /// @param genesisBlockHash Hash of the L2 genesis block.
    /// @param genesisStateRoot State root of the L2 genesis block.
    /// @param sequencer The permissioned sequencer.
    /// @param config Sequencing and censorship-resistance parameters.
    /// @param optimistic Challenge window and proposal bond.
    /// @param policy Which proofs are accepted; no keys means proofs are not accepted (blocks are
    /// then proven by re-execution only).
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config,
        OptimisticConfig memory optimistic,
        ProofPolicy memory policy
    ) NativeRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config) OptimisticRollup(optimistic) {
        if (policy.acceptedKeys.length != 0) _setProofPolicy(policy);
    }
}
