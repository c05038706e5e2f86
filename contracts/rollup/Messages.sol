// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A message from L1 to L2, queued by the rollup contract and relayed by L2Bridge.
/// @param nonce Position in the rollup contract's queue (0, 1, 2, ...).
/// @param from The L1 account that queued it (`l1Sender()` during the L2 call).
/// @param to The L2 account called.
/// @param value Wei that L2Bridge releases to `to` from its pre-minted balance.
/// @param gasLimit Gas given to the L2 call.
/// @param data Calldata of the L2 call.
struct L1Message {
    uint256 nonce;
    address from;
    address to;
    uint256 value;
    uint256 gasLimit;
    bytes data;
}

/// @notice A message from L2 to L1, recorded by L2Bridge and finalized on L1 with a state proof.
/// @param nonce Position in L2Bridge's outgoing sequence.
/// @param from The L2 account that sent it (`l2Sender()` during the L1 call).
/// @param to The L1 account called.
/// @param value Wei the rollup contract pays to `to` out of its deposits.
/// @param data Calldata of the L1 call.
struct L2Message {
    uint256 nonce;
    address from;
    address to;
    uint256 value;
    bytes data;
}

/// @title Messages
/// @notice The canonical hashes of cross-domain messages (the same on L1, on L2 and in TypeScript).
library Messages {
    /// @notice `keccak256(abi.encode(nonce, from, to, value, gasLimit, data))`.
    /// @param message The L1 → L2 message.
    /// @return The message hash: a leaf of the message tree anchored in an L2 block.
    function hash(L1Message memory message) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(message.nonce, message.from, message.to, message.value, message.gasLimit, message.data)
        );
    }

    /// @notice `keccak256(abi.encode(nonce, from, to, value, data))`.
    /// @param message The L2 → L1 message.
    /// @return The message hash: the key L2Bridge records in its sent-messages mapping.
    function hash(L2Message memory message) internal pure returns (bytes32) {
        return keccak256(abi.encode(message.nonce, message.from, message.to, message.value, message.data));
    }
}
