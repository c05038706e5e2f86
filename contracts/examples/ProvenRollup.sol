// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";
import {NativeRollup} from "../rollup/NativeRollup.sol";
import {ProofPolicy} from "../rollup/ProofPolicy.sol";
import {ProofModeExecute} from "../verifiers/ProofModeExecute.sol";

/// @title ProvenRollup
/// @notice A native rollup whose blocks EXECUTE accepts on k-of-n proofs (e.g. committee
/// attestations and zkVM proofs), falling back to re-execution only if the policy allows it.
/// @dev Its executor, fixed at deployment, is the EXECUTE precompile or, on an L1 without it, a
/// ProofModeExecute contract that checks proof mode in Solidity with a Groth16 verifier per
/// accepted key (docs/design/proofs-without-execute.md). Either way the block is verified by the
/// same one line, `Execute.execute(EXECUTOR, …)`.
contract ProvenRollup is NativeRollup {
    /// @notice Who verifies blocks: `Execute.PRECOMPILE` or a ProofModeExecute.
    address public immutable EXECUTOR;

    /// @notice The policy lists a key the executor has no verifier for: it could never count.
    /// @param keyHash The key's hash.
    error NoVerifierForKey(bytes32 keyHash);

    /// @notice The policy allows re-execution, which only the EXECUTE precompile can do.
    /// @param executor The executor without the precompile.
    error ReexecutionUnavailable(address executor);

    /// @param l2ChainId The L2 chain id.
    /// @param genesisBlockHash Hash of the L2 genesis block.
    /// @param genesisStateRoot State root of the L2 genesis block.
    /// @param sequencer The permissioned sequencer.
    /// @param config Sequencing and censorship-resistance parameters.
    /// @param policy Which proofs are accepted, and how many must verify.
    /// @param executor `Execute.PRECOMPILE` (0x0101), or a ProofModeExecute holding a verifier for
    /// every accepted key.
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config,
        ProofPolicy memory policy,
        address executor
    ) NativeRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config) {
        _setProofPolicy(policy);
        if (executor != Execute.PRECOMPILE) {
            if (policy.allowReexecution) revert ReexecutionUnavailable(executor);
            for (uint256 i; i < policy.acceptedKeys.length; ++i) {
                bytes32 keyHash = policy.acceptedKeys[i];
                if (address(ProofModeExecute(executor).verifierOf(keyHash)) == address(0)) revert NoVerifierForKey(keyHash);
            }
        }
        EXECUTOR = executor;
    }

    /// @inheritdoc NativeRollup
    function _execute(bytes calldata parentHeader, bytes calldata block_, bytes calldata witness, bytes calldata proofs)
        internal
        override
        returns (ExecuteResult memory)
    {
        return Execute.execute(EXECUTOR, L2_CHAIN_ID, parentHeader, block_, witness, _withProofPolicy(proofs));
    }
}
