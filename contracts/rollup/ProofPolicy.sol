// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice One execution proof as the sequencer supplies it (EIP-8025 shape plus its key).
/// @param proofType 1 = Groth16 over BN254 (precompiles/proofs/types.ts).
/// @param verificationKey ABI-encoded key; the policy lists keccak256 of accepted keys.
/// @param proofData ABI-encoded proof.
struct ExecutionProof {
    uint8 proofType;
    bytes verificationKey;
    bytes proofData;
}

/// @notice Which proofs a rollup accepts instead of re-execution.
/// @param threshold How many distinct accepted keys must each have a verifying proof (k of n).
/// @param allowReexecution Whether EXECUTE may re-execute from the witness when proofs fall short.
/// @param acceptedKeys keccak256 of each accepted verification key (the n).
struct ProofPolicy {
    uint8 threshold;
    bool allowReexecution;
    bytes32[] acceptedKeys;
}

/// @title ProofPolicies
/// @notice Builds EXECUTE's `proofs` field: `abi.encode(ProofPolicy, ExecutionProof[])`.
library ProofPolicies {
    /// @notice The policy has no keys, or asks for more proofs than it has keys.
    error InvalidProofPolicy(uint8 threshold, uint256 keyCount);

    /// @notice Reverts unless `policy` can ever be met.
    /// @param policy The policy to check.
    function validate(ProofPolicy memory policy) internal pure {
        if (policy.threshold == 0 || policy.threshold > policy.acceptedKeys.length) {
            revert InvalidProofPolicy(policy.threshold, policy.acceptedKeys.length);
        }
    }

    /// @notice EXECUTE's `proofs` field for `proofs` (ABI-encoded `ExecutionProof[]`) under `policy`;
    /// empty input stays empty, which asks EXECUTE to re-execute.
    /// @param policy The rollup's policy.
    /// @param proofs `abi.encode(ExecutionProof[])` from the sequencer, or empty.
    /// @return The encoded field.
    function attach(ProofPolicy memory policy, bytes calldata proofs) internal pure returns (bytes memory) {
        if (proofs.length == 0) return proofs;
        validate(policy);
        return abi.encode(policy, abi.decode(proofs, (ExecutionProof[])));
    }
}
