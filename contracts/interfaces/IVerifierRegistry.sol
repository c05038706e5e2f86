// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IVerifierRegistry
/// @notice The one read a rollup's constructor makes of a `ProofModeExecute` executor: which
/// verifier it holds for a key. A rollup that imports this interface instead of
/// `verifiers/ProofModeExecute.sol` does not compile ProofModeExecute, its Groth16 verifier and
/// its RLP and trie libraries with itself: a third less solc work in every project `rollup:init`
/// creates (docs/design/fast-tests.md, round 30a). The ABI is ProofModeExecute's public
/// `verifierOf` getter (its `IExecutionProofVerifier` is an address in the ABI);
/// test/templates/init.test.ts holds the two to the same selector and output.
interface IVerifierRegistry {
    /// @notice The verifier deployed for a key, or the zero address if the key is not accepted.
    /// @param keyHash keccak256 of the verification key.
    /// @return verifier Its verifier's address.
    function verifierOf(bytes32 keyHash) external view returns (address verifier);
}
