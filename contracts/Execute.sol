// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice What EXECUTE returns for a valid L2 block (docs/DESIGN.md §3.5, 352 bytes ABI-encoded).
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
/// which `execute` bubbles up unchanged and `tryExecute` returns (for challenges, which must act
/// on the outcome).
library Execute {
    /// @notice The EXECUTE precompile: the first address after P256VERIFY (0x100).
    address internal constant PRECOMPILE = address(0x0101);

    /// @notice Byte length of a successful EXECUTE result: eleven ABI words.
    uint256 internal constant RESULT_SIZE = 352;

    /// @notice The code `tryExecute` reports when EXECUTE gave no `ExecuteInvalid` reason: no
    /// precompile at 0x0101, a result of the wrong size, or unrecognised revert data. It is below
    /// `FIRST_BLOCK_INVALID_CODE`: such a failure never says the block is invalid.
    uint8 internal constant CODE_UNAVAILABLE = 0;

    /// @notice The first code that means "the block is invalid"; codes below it mean "could not
    /// check" (precompiles/errors.ts). The optimistic challenge relies on that split.
    uint8 internal constant FIRST_BLOCK_INVALID_CODE = 64;

    /// @notice Byte length of the smallest `ExecuteInvalid` revert: selector, code, string offset, length.
    uint256 private constant MIN_INVALID_REVERT_SIZE = 4 + 3 * 32;

    /// @notice Most bytes of reason EXECUTE returns (precompiles/codec.ts `MAX_EXECUTE_REASON_BYTES`).
    uint256 internal constant MAX_REASON_BYTES = 256;

    /// @notice Most bytes `tryExecute` copies from EXECUTE's return data: the largest `ExecuteInvalid`
    /// (356 bytes, which also holds a 352-byte result). A reason EXECUTE returns is bounded, but a
    /// challenge must not depend on that: its memory, decoding and event cost stay bounded whatever
    /// the executor returns (docs/design/execute-budget.md, "Bounded failure reasons").
    uint256 internal constant MAX_RETURN_COPY = MIN_INVALID_REVERT_SIZE + MAX_REASON_BYTES;

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
        return execute(PRECOMPILE, chainId, parentHeader, block_, witness, proofs);
    }

    /// @notice Verifies `block_` with the rollup's executor, fixed at its deployment: `PRECOMPILE`,
    /// or on an L1 without EXECUTE, a ProofModeExecute contract (contracts/verifiers), which takes
    /// the same input and returns or reverts as EXECUTE's proof mode does, with the proofs checked
    /// by Solidity Groth16 verifiers (docs/design/proofs-without-execute.md).
    /// @param executor `PRECOMPILE` or a ProofModeExecute.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent L2 header.
    /// @param block_ RLP of the full L2 block.
    /// @param witness RLP `[state, codes, headers]` (ignored by ProofModeExecute).
    /// @param proofs Encoded proofs; empty for re-execution (only the precompile re-executes).
    /// @return result The block's commitments.
    function execute(
        address executor,
        uint64 chainId,
        bytes memory parentHeader,
        bytes memory block_,
        bytes memory witness,
        bytes memory proofs
    ) internal returns (ExecuteResult memory result) {
        (bool ok, bytes memory output) = executor.call(abi.encode(chainId, parentHeader, block_, witness, proofs));
        if (!ok) {
            if (output.length == 0) revert ExecuteUnavailable();
            assembly ("memory-safe") {
                revert(add(output, 0x20), mload(output))
            }
        }
        if (output.length != RESULT_SIZE) revert ExecuteMalformedResult(output.length);
        result = abi.decode(output, (ExecuteResult));
    }

    /// @notice Like `execute`, but reports a failure instead of reverting, and passes EXECUTE at
    /// most `gasLimit` gas: when it fails, EXECUTE consumes all the gas passed to it, so a caller
    /// that must act on a failure (a challenge) bounds what a failure costs.
    /// @dev EXECUTE's cost is its gas schedule's (precompiles/gas.ts; by default 100,000 + 16 per
    /// input byte + 1 per L2 gas charged when re-executing); with less, it reports OutOfGas (code 2). The 63/64 rule may
    /// pass less than `gasLimit`. At most `MAX_RETURN_COPY` bytes of what EXECUTE returns are
    /// copied, so a failure costs the caller the same whatever its reason (see `decodeFailure`). A caller that does not revert on "could not
    /// check" misleads eth_estimateGas into a gas limit at which EXECUTE runs out of gas.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent L2 header.
    /// @param block_ RLP of the full L2 block.
    /// @param witness RLP `[state, codes, headers]`.
    /// @param proofs Encoded proofs; empty for re-execution.
    /// @param gasLimit Most gas to pass to EXECUTE.
    /// @return ok Whether EXECUTE accepted the block.
    /// @return result The block's commitments when `ok`; zero otherwise.
    /// @return code Why EXECUTE rejected the block (`CODE_UNAVAILABLE` when it gave no reason); 0 when `ok`.
    /// @return reason EXECUTE's explanation; empty when `ok`.
    function tryExecute(
        uint64 chainId,
        bytes memory parentHeader,
        bytes memory block_,
        bytes memory witness,
        bytes memory proofs,
        uint256 gasLimit
    ) internal returns (bool ok, ExecuteResult memory result, uint8 code, string memory reason) {
        (bool success, uint256 size, bytes memory output) =
            _callBounded(abi.encode(chainId, parentHeader, block_, witness, proofs), gasLimit);
        if (!success) {
            (code, reason) = decodeFailure(output);
            return (false, result, code, reason);
        }
        if (size != RESULT_SIZE) return (false, result, CODE_UNAVAILABLE, "EXECUTE returned a malformed result");
        return (true, abi.decode(output, (ExecuteResult)), 0, "");
    }

    /// @notice Calls EXECUTE and copies at most `MAX_RETURN_COPY` bytes of what it returns.
    /// @param input EXECUTE's ABI input.
    /// @param gasLimit Most gas to pass to EXECUTE.
    /// @return success Whether the call succeeded.
    /// @return size The full size of the return data.
    /// @return output Its first `min(size, MAX_RETURN_COPY)` bytes.
    function _callBounded(bytes memory input, uint256 gasLimit)
        private
        returns (bool success, uint256 size, bytes memory output)
    {
        (address precompile, uint256 maxCopy) = (PRECOMPILE, MAX_RETURN_COPY);
        assembly ("memory-safe") {
            // No automatic copy of the return data: only its first `maxCopy` bytes are copied.
            success := call(gasLimit, precompile, 0, add(input, 0x20), mload(input), 0, 0)
            size := returndatasize()
            let copied := size
            if gt(copied, maxCopy) { copied := maxCopy }
            output := mload(0x40)
            mstore(output, copied)
            returndatacopy(add(output, 0x20), 0, copied)
            mstore(0x40, add(add(output, 0x20), and(add(copied, 31), not(31))))
        }
    }

    /// @notice Whether a failure code says the block itself is invalid (not just unchecked).
    /// @param code A code from `ExecuteInvalid` or `tryExecute`.
    /// @return True for codes from `FIRST_BLOCK_INVALID_CODE`.
    function isBlockInvalid(uint8 code) internal pure returns (bool) {
        return code >= FIRST_BLOCK_INVALID_CODE;
    }

    /// @notice Reads `(code, reason)` from EXECUTE's revert data, or from a prefix of it (what
    /// `tryExecute` copies): a reason longer than the bytes present is cut to them, so reading it
    /// never costs more than the bytes given.
    /// @param output The revert data (consumed: its memory is reused in place).
    /// @return code The `ExecuteInvalid` code, or `CODE_UNAVAILABLE` without one (or when its code
    /// does not fit a uint8 or its reason is not at the standard offset).
    /// @return reason The reason, or a description of what was received.
    function decodeFailure(bytes memory output) internal pure returns (uint8 code, string memory reason) {
        if (output.length == 0) return (CODE_UNAVAILABLE, "EXECUTE is unavailable (no revert data)");
        if (output.length < MIN_INVALID_REVERT_SIZE || bytes4(output) != ExecuteInvalid.selector) {
            return (CODE_UNAVAILABLE, "EXECUTE reverted without ExecuteInvalid");
        }
        uint256 codeWord;
        uint256 offset;
        uint256 length;
        assembly ("memory-safe") {
            // After the 32-byte length and the 4-byte selector: code, string offset, string length.
            codeWord := mload(add(output, 36))
            offset := mload(add(output, 68))
            length := mload(add(output, 100))
        }
        if (codeWord > type(uint8).max || offset != 64) return (CODE_UNAVAILABLE, "EXECUTE reverted with a malformed ExecuteInvalid");
        uint256 present = output.length - MIN_INVALID_REVERT_SIZE;
        if (length > present) length = present;
        assembly ("memory-safe") {
            // The string starts at its length word, overwritten with the length actually present.
            reason := add(output, 100)
            mstore(reason, length)
        }
        code = uint8(codeWord);
    }
}
