// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L1Message} from "../rollup/Messages.sol";

/// @title IL2Bridge
/// @notice The L2 predeploy (at `L2_BRIDGE_ADDRESS`) that delivers L1 → L2 messages and records
/// L2 → L1 messages, as relayers, the node and the SDK see it. `L2Bridge` implements it; its
/// events and errors are declared here.
/// @dev A message to L1 whose calldata is too large reverts with `MessageDataTooLarge` (RollupErrors.sol).
interface IL2Bridge {
    /// @notice Why a consumed L1 message did not run to completion.
    /// @param CallFailed Its call reverted or ran out of its gas limit.
    /// @param Deferred The block that consumed it could not carry its call (gas or witness), so it was not run.
    enum FailureReason {
        CallFailed,
        Deferred
    }

    /// @notice Where a consumed (or not yet consumed) L1 message stands on L2.
    /// @param Pending Not consumed yet.
    /// @param Executed Its call ran and succeeded (at the relay or at a retry).
    /// @param Failed Its call failed or was deferred; its value is held for a retry or a refund.
    /// @param Refunded Its value was returned to its sender's chosen address.
    enum MessageState {
        Pending,
        Executed,
        Failed,
        Refunded
    }


    /// @notice An L1 message was consumed.
    /// @param nonce The message's nonce in the L1 queue.
    /// @param messageHash The message's hash.
    /// @param success Whether its call ran and succeeded (false: see `MessageFailed`).
    event MessageRelayed(uint256 indexed nonce, bytes32 indexed messageHash, bool success);

    /// @notice A consumed L1 message did not run to completion; its value is held for a retry or refund.
    /// @param nonce The message's nonce.
    /// @param messageHash The message's hash.
    /// @param reason Why.
    /// @param returnData The first `MAX_KEPT_RETURN_DATA` bytes of the call's revert data (empty when deferred).
    event MessageFailed(uint256 indexed nonce, bytes32 indexed messageHash, FailureReason reason, bytes returnData);

    /// @notice A failed message's call was retried and succeeded.
    /// @param nonce The message's nonce.
    /// @param messageHash The message's hash.
    event MessageRetried(uint256 indexed nonce, bytes32 indexed messageHash);

    /// @notice A failed message's value was returned.
    /// @param nonce The message's nonce.
    /// @param messageHash The message's hash.
    /// @param to Who received the value.
    /// @param onL1 Whether it was sent to `to` on L1 (as an L2 → L1 message) rather than paid on L2.
    /// @param value Wei returned.
    event MessageRefunded(uint256 indexed nonce, bytes32 indexed messageHash, address to, bool onL1, uint256 value);

    /// @notice The bridge paid a top-level relayer back its relay's gas at the base fee.
    /// @param relayer Who was paid.
    /// @param amount Wei paid.
    event RelayReimbursed(address indexed relayer, uint256 amount);

    /// @notice A message to L1 was recorded; it can be finalized on L1 once its block is accepted.
    /// @param nonce The message's nonce.
    /// @param from The L2 sender.
    /// @param to The L1 recipient.
    /// @param value Wei to pay on L1.
    /// @param data Calldata of the L1 call.
    /// @param messageHash The message's hash (the key of the sent-messages mapping).
    event MessageSentToL1(
        uint256 indexed nonce, address indexed from, address indexed to, uint256 value, bytes data, bytes32 messageHash
    );

    /// @notice The EIP-4788 contract has no root for this timestamp (no such L2 block, or evicted).
    error UnknownAnchor(uint64 anchorTimestamp);

    /// @notice The Merkle proof does not place the message under the anchored root.
    error InvalidMessageProof(bytes32 messageHash, bytes32 root, uint256 index);

    /// @notice The message with this nonce was already consumed.
    error AlreadyRelayed(uint256 nonce);

    /// @notice The relay has less gas than the message's call is owed: it would starve the call.
    error InsufficientRelayGas(uint256 nonce, uint256 available, uint256 required);

    /// @notice A refund request (an L1 message calling `refundMessage` here) is never deferred.
    error NotDeferrable(uint256 nonce);

    /// @notice Only a top-level transaction (the block's relayer) may defer a message.
    error DeferNotTopLevel(address caller);

    /// @notice No failed message with this nonce and hash is held.
    error NotFailed(uint256 nonce, bytes32 messageHash);

    /// @notice The retried call failed again; it stays failed and can be retried or refunded.
    error MessageCallFailed(uint256 nonce, bytes returnData);

    /// @notice Only the message's L1 sender may take its value back.
    error NotMessageSender(address caller, address sender);

    /// @notice Paying the refund on L2 failed; the message stays refundable.
    error RefundFailed(uint256 nonce, address to);



    /// @notice Delivers an L1 message: releases its value and calls its target with its full gas
    /// limit. A call that fails is recorded (the value stays here, retryable and refundable).
    /// @param message The message, as queued on L1.
    /// @param anchorTimestamp Timestamp of the L2 block whose `parentBeaconBlockRoot` anchors it.
    /// @param index The message's position in that block's message tree.
    /// @param proof Sibling hashes from the leaf to the root.
    function relayMessage(L1Message calldata message, uint64 anchorTimestamp, uint256 index, bytes32[] calldata proof)
        external;

    /// @notice Consumes an anchored L1 message without running its call (its block cannot carry
    /// it); the message is recorded as failed, to be retried or refunded.
    /// @param message The message, as queued on L1.
    /// @param anchorTimestamp Timestamp of the L2 block whose `parentBeaconBlockRoot` anchors it.
    /// @param index The message's position in that block's message tree.
    /// @param proof Sibling hashes from the leaf to the root.
    function deferMessage(L1Message calldata message, uint64 anchorTimestamp, uint256 index, bytes32[] calldata proof)
        external;

    /// @notice Runs a failed (or deferred) message's call again with its full gas limit.
    /// @param message The message, as queued on L1.
    function retryMessage(L1Message calldata message) external;

    /// @notice Returns a failed (or deferred) message's value to `to`, on L2 or (`onL1`) on L1.
    /// Only the message's L1 sender may ask.
    /// @param message The message, as queued on L1.
    /// @param to Who receives the value.
    /// @param onL1 Send it to `to` on L1 instead of paying it on L2.
    function refundMessage(L1Message calldata message, address to, bool onL1) external;

    /// @notice Where the L1 message `nonce` stands on L2.
    function messageState(uint256 nonce) external view returns (MessageState);

    /// @notice Gas a relay must still hold when it calls the target.
    function minimumCallGas(uint256 gasLimit) external pure returns (uint256);

    /// @notice Whether an L1 message is a refund request: a call of `refundMessage` on this bridge.
    function isRefundRequest(address to, bytes calldata data) external view returns (bool);

    /// @notice Sends ETH to `to` on L1.
    /// @return messageHash The hash to finalize on L1.
    function withdraw(address to) external payable returns (bytes32 messageHash);

    /// @notice Sends a message (and ETH) to `to` on L1, where `l2Sender()` will be the caller.
    /// @return messageHash The hash to finalize on L1.
    function sendMessageToL1(address to, bytes calldata data) external payable returns (bytes32 messageHash);

    /// @notice The L1 sender of the message being relayed (`DEFAULT_CROSS_DOMAIN_SENDER` otherwise).
    function l1Sender() external view returns (address);

    /// @notice Whether the L2 → L1 message `messageHash` has been sent (it never goes back).
    function sentMessages(bytes32 messageHash) external view returns (bool sent);

    /// @notice Whether L1 message `nonce` was consumed (relayed or deferred).
    function relayed(uint256 nonce) external view returns (bool);

    /// @notice How many L2 → L1 messages were sent.
    function sentMessageCount() external view returns (uint256);

    /// @notice The hash of failed L1 message `nonce` while it waits for a retry or a refund.
    function failedMessages(uint256 nonce) external view returns (bytes32 messageHash);
}
