// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L1Message, L2Message, Messages} from "../rollup/Messages.sol";
import {MessageTree} from "../rollup/MessageTree.sol";
import {
    BEACON_ROOTS_ADDRESS, DEFAULT_CROSS_DOMAIN_SENDER, SENT_MESSAGES_SLOT
} from "../rollup/RollupConstants.sol";

/// @title L2Bridge
/// @notice The L2 predeploy (at `L2_BRIDGE_ADDRESS`) that delivers L1 → L2 messages and records
/// L2 → L1 messages.
/// @dev It has no constructor: the L2 genesis places its runtime code, empty storage and a large
/// pre-minted ETH balance, so every variable is valid at zero.
/// - L1 → L2: each L2 block's `parentBeaconBlockRoot` is the MessageTree root of the L1 messages
///   it consumes (checked by the rollup contract on L1); the EIP-4788 contract stores it on L2 by
///   the block's timestamp. Anyone relays a message with a Merkle proof against that root.
///   A relay whose call fails reverts as a whole, so the message stays relayable and anyone can
///   retry it (e.g. with more gas, or once the target accepts it).
/// - L2 → L1: sending records `keccak256(abi.encode(messageHash, SENT_MESSAGES_SLOT))` = 1; the
///   L1 rollup contract proves that slot against an accepted L2 state root. ETH sent to L1 stays
///   in this contract (it returns to the pre-minted pool) and is paid out on L1 by the rollup.
contract L2Bridge {
    /// @notice Largest calldata of an L2 → L1 message (bytes).
    uint256 public constant MAX_MESSAGE_DATA_SIZE = 64 * 1024;

    /// @notice Byte length of a root returned by the EIP-4788 contract.
    uint256 private constant BEACON_ROOT_SIZE = 32;

    /// @notice Which L1 messages have been relayed, by nonce.
    mapping(uint256 nonce => bool) public relayed;

    /// @notice The nonce the next L2 → L1 message gets.
    uint256 public sentMessageCount;

    /// @dev The L1 sender of the message being relayed; zero outside a relay.
    address private transient _l1Sender;

    /// @notice An L1 message was delivered (its call succeeded: a failing call reverts the relay).
    /// @param nonce The message's nonce in the L1 queue.
    /// @param messageHash The message's hash.
    /// @param success Whether the call succeeded; always true under the revert-on-failure policy.
    event MessageRelayed(uint256 indexed nonce, bytes32 indexed messageHash, bool success);

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

    /// @notice The message with this nonce was already relayed.
    error AlreadyRelayed(uint256 nonce);

    /// @notice The relayed call reverted; the relay is undone and can be retried.
    error MessageCallFailed(uint256 nonce, bytes returnData);

    /// @notice The calldata of a message to L1 exceeds `MAX_MESSAGE_DATA_SIZE`.
    error MessageDataTooLarge(uint256 size, uint256 maxSize);

    /// @notice Delivers an L1 message: releases its value and calls its target. Anyone may relay.
    /// @param message The message, as queued on L1.
    /// @param anchorTimestamp Timestamp of the L2 block whose `parentBeaconBlockRoot` anchors it.
    /// @param index The message's position in that block's message tree.
    /// @param proof Sibling hashes from the leaf to the root.
    function relayMessage(
        L1Message calldata message,
        uint64 anchorTimestamp,
        uint256 index,
        bytes32[] calldata proof
    ) external {
        bytes32 messageHash = Messages.hash(message);
        bytes32 root = _anchoredRoot(anchorTimestamp);
        if (!MessageTree.verify(root, messageHash, index, proof)) {
            revert InvalidMessageProof(messageHash, root, index);
        }
        if (relayed[message.nonce]) revert AlreadyRelayed(message.nonce);

        relayed[message.nonce] = true;
        emit MessageRelayed(message.nonce, messageHash, true);

        address previousSender = _l1Sender;
        _l1Sender = message.from;
        (bool success, bytes memory returnData) =
            message.to.call{gas: message.gasLimit, value: message.value}(message.data);
        _l1Sender = previousSender;
        if (!success) revert MessageCallFailed(message.nonce, returnData);
    }

    /// @notice Sends ETH to `to` on L1.
    /// @param to The L1 recipient.
    /// @return messageHash The hash to finalize on L1.
    function withdraw(address to) external payable returns (bytes32 messageHash) {
        return _send(to, "");
    }

    /// @notice Sends a message (and ETH) to `to` on L1, where `l2Sender()` will be the caller.
    /// @param to The L1 account to call.
    /// @param data The L1 calldata.
    /// @return messageHash The hash to finalize on L1.
    function sendMessageToL1(address to, bytes calldata data) external payable returns (bytes32 messageHash) {
        return _send(to, data);
    }

    /// @notice The L1 sender of the message being relayed (`DEFAULT_CROSS_DOMAIN_SENDER` otherwise).
    /// @return The L1 account.
    function l1Sender() external view returns (address) {
        address sender = _l1Sender;
        return sender == address(0) ? DEFAULT_CROSS_DOMAIN_SENDER : sender;
    }

    /// @notice Whether the L2 → L1 message `messageHash` has been sent.
    /// @param messageHash The message's hash.
    /// @return sent True once sent (it never goes back).
    function sentMessages(bytes32 messageHash) external view returns (bool sent) {
        uint256 slot = _sentSlot(messageHash);
        assembly ("memory-safe") {
            sent := sload(slot)
        }
    }

    function _send(address to, bytes memory data) private returns (bytes32 messageHash) {
        if (data.length > MAX_MESSAGE_DATA_SIZE) revert MessageDataTooLarge(data.length, MAX_MESSAGE_DATA_SIZE);
        uint256 nonce = sentMessageCount;
        messageHash =
            Messages.hash(L2Message({nonce: nonce, from: msg.sender, to: to, value: msg.value, data: data}));
        sentMessageCount = nonce + 1;
        uint256 slot = _sentSlot(messageHash);
        assembly ("memory-safe") {
            sstore(slot, 1)
        }
        emit MessageSentToL1(nonce, msg.sender, to, msg.value, data, messageHash);
    }

    function _anchoredRoot(uint64 anchorTimestamp) private view returns (bytes32) {
        (bool found, bytes memory root) = BEACON_ROOTS_ADDRESS.staticcall(abi.encode(uint256(anchorTimestamp)));
        if (!found || root.length != BEACON_ROOT_SIZE) revert UnknownAnchor(anchorTimestamp);
        return abi.decode(root, (bytes32));
    }

    function _sentSlot(bytes32 messageHash) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(messageHash, SENT_MESSAGES_SLOT)));
    }
}
