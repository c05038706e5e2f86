// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ExecuteResult} from "../Execute.sol";

/// @title IProofVerification
/// @notice The proof-verification path of EXECUTE, for an L1 without the precompile: a block is
/// accepted when proofs under `threshold` distinct accepted keys of its commitment verify, without
/// re-executing it. `ProofModeExecute` implements it; failures revert with EXECUTE's
/// `ExecuteInvalid(code, reason)` (Execute.sol), as the precompile's would.
interface IProofVerification {
    /// @notice A verifier was deployed for a key.
    /// @param keyHash keccak256 of the key.
    /// @param verifier Its verifier.
    event VerifierDeployed(bytes32 indexed keyHash, address verifier);

    /// @notice The same key was given twice.
    /// @param keyHash Its hash.
    error DuplicateVerificationKey(bytes32 keyHash);

    /// @notice No key was given.
    error NoVerificationKeys();


    /// @notice Verifies `block_` on `parentHeader` by its proofs.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent header.
    /// @param block_ RLP of the block.
    /// @param proofs `abi.encode(ProofPolicy, ExecutionProof[])`.
    /// @return result What the header claims, now proven.
    function verify(uint64 chainId, bytes memory parentHeader, bytes memory block_, bytes memory proofs)
        external
        view
        returns (ExecuteResult memory result);
}
