// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice What EXECUTE returns for a valid L2 block (DESIGN §3, 352 bytes ABI-encoded).
struct ExecuteResult {
    bytes32 blockHash;
    bytes32 stateRoot;
    bytes32 receiptsRoot;
    uint64 number;
    uint64 timestamp;
    uint64 gasLimit;
    uint64 gasUsed;
    uint256 baseFeePerGas;
    uint256 burnedFees;
    address coinbase;
    /// @dev The L1 anchor: the rollup contract checks it against the messages the block consumes.
    bytes32 parentBeaconBlockRoot;
}

/// @title Execute
/// @notice Verifies an L2 block with the EXECUTE precompile in one call.
/// @dev The precompile re-executes the block statelessly from `witness` (or verifies `proofs`)
/// and either returns the block's commitments or reverts with `ExecuteInvalid(code, reason)`,
/// which this library bubbles up unchanged.
library Execute {
    /// @notice The EXECUTE precompile: the first address after P256VERIFY (0x100).
    address internal constant PRECOMPILE = address(0x0101);

    /// @notice Byte length of a successful EXECUTE result: eleven ABI words.
    uint256 internal constant RESULT_SIZE = 352;

    /// @notice Raised by the precompile itself; declared here so callers can decode it.
    /// @param code Why the block was rejected (see precompiles/errors.ts; >= 64 means the block is invalid).
    /// @param reason A human-readable explanation.
    error ExecuteInvalid(uint8 code, string reason);

    /// @notice The call failed without revert data: this chain has no EXECUTE precompile.
    error ExecuteUnavailable();

    /// @notice The precompile answered with a result of the wrong size.
    /// @param length The size it returned.
    error ExecuteMalformedResult(uint256 length);

    /// @notice Verifies `block_` on top of `parentHeader` by stateless re-execution.
    /// @param chainId The L2 chain id (transactions' EIP-155 chain id and CHAINID).
    /// @param parentHeader RLP of the parent L2 header; its state root is the pre-state.
    /// @param block_ RLP of the full L2 block.
    /// @param witness RLP `[state, codes, headers]` of the pre-state the block reads.
    /// @return result The block's commitments.
    function execute(uint64 chainId, bytes memory parentHeader, bytes memory block_, bytes memory witness)
        internal
        returns (ExecuteResult memory result)
    {
        return execute(chainId, parentHeader, block_, witness, "");
    }

    /// @notice Verifies `block_` on top of `parentHeader`, with proofs when the L1 verifies proofs.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent L2 header.
    /// @param block_ RLP of the full L2 block.
    /// @param witness RLP `[state, codes, headers]`.
    /// @param proofs Encoded proofs; empty for re-execution.
    /// @return result The block's commitments.
    function execute(
        uint64 chainId,
        bytes memory parentHeader,
        bytes memory block_,
        bytes memory witness,
        bytes memory proofs
    ) internal returns (ExecuteResult memory result) {
        (bool ok, bytes memory output) =
            PRECOMPILE.call(abi.encode(chainId, parentHeader, block_, witness, proofs));
        if (!ok) {
            if (output.length == 0) revert ExecuteUnavailable();
            assembly ("memory-safe") {
                revert(add(output, 0x20), mload(output))
            }
        }
        if (output.length != RESULT_SIZE) revert ExecuteMalformedResult(output.length);
        result = abi.decode(output, (ExecuteResult));
    }
}
