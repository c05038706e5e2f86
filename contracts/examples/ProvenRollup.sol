// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NativeRollup} from "../rollup/NativeRollup.sol";
import {ProofPolicy} from "../rollup/ProofPolicy.sol";

/// @title ProvenRollup
/// @notice A native rollup whose blocks EXECUTE accepts on k-of-n proofs (e.g. committee
/// attestations and zkVM proofs), falling back to re-execution only if the policy allows it.
contract ProvenRollup is NativeRollup {
    /// @param l2ChainId The L2 chain id.
    /// @param genesisBlockHash Hash of the L2 genesis block.
    /// @param genesisStateRoot State root of the L2 genesis block.
    /// @param sequencer The permissioned sequencer.
    /// @param config Sequencing and censorship-resistance parameters.
    /// @param policy Which proofs are accepted, and how many must verify.
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config,
        ProofPolicy memory policy
    ) NativeRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config) {
        _setProofPolicy(policy);
    }
}
