// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice One execution proof as the sequencer supplies it (EIP-8025 shape plus its key).
/// @param proofType 1 = Groth16 over BN254 (precompiles/proofs/types.ts).
/// @param verificationKey ABI-encoded key in its canonical encoding (EXECUTE counts no other);
/// the policy lists keccak256 of accepted keys (docs/design/proof-policy.md).
/// @param proofData ABI-encoded proof.
struct ExecutionProof {
    uint8 proofType;
    bytes verificationKey;
    bytes proofData;
}

/// @notice Which proofs a rollup accepts instead of re-execution.
/// @param threshold How many distinct accepted keys must each have a verifying proof (k of n).
/// @param allowReexecution Whether a block may be accepted by re-execution from its witness at all:
/// when proofs fall short inside EXECUTE, and when `advance` is sent without proofs. False makes
/// proofs the only way in (docs/design/proof-policy.md).
/// @param acceptedKeys keccak256 of each accepted verification key (the n), each listed once.
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

    /// @notice The policy lists `key` twice: a key counts once, so the threshold would be unreachable.
    error DuplicateAcceptedKey(bytes32 key);

    /// @notice A block was sent without proofs to a rollup whose policy forbids re-execution.
    error ReexecutionNotAllowed();

    /// @notice Reverts unless `policy` can ever be met: 1 <= threshold <= keys, no key listed twice.
    /// @param policy The policy to check.
    /// @dev Quadratic in the key count, which the uint8 threshold keeps meaningful only for small n;
    /// it runs when a policy is set, not per block.
    function validate(ProofPolicy memory policy) internal pure {
        bytes32[] memory keys = policy.acceptedKeys;
        if (policy.threshold == 0 || policy.threshold > keys.length) {
            revert InvalidProofPolicy(policy.threshold, keys.length);
        }
        for (uint256 i = 1; i < keys.length; ++i) {
            for (uint256 j = 0; j < i; ++j) {
                if (keys[i] == keys[j]) revert DuplicateAcceptedKey(keys[i]);
            }
        }
    }

    /// @notice EXECUTE's `proofs` field for `proofs` (ABI-encoded `ExecutionProof[]`) under `policy`;
    /// empty input stays empty, which asks EXECUTE to re-execute — refused when a policy is set and
    /// forbids re-execution.
    /// @param policy The rollup's policy (no keys: none set, blocks are re-executed).
    /// @param proofs `abi.encode(ExecutionProof[])` from the sequencer, or empty.
    /// @return The encoded field.
    function attach(ProofPolicy memory policy, bytes calldata proofs) internal pure returns (bytes memory) {
        if (proofs.length == 0) {
            if (policy.acceptedKeys.length != 0 && !policy.allowReexecution) revert ReexecutionNotAllowed();
            return proofs;
        }
        validate(policy);
        return abi.encode(policy, abi.decode(proofs, (ExecutionProof[])));
    }
}
