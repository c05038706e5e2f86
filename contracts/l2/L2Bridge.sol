// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L1Message, L2Message, Messages} from "../rollup/Messages.sol";
import {MessageTree} from "../rollup/MessageTree.sol";
import {
    BEACON_ROOTS_ADDRESS, DEFAULT_CROSS_DOMAIN_SENDER, MESSAGE_DATA_SIZE_LIMIT, SENT_MESSAGES_SLOT
} from "../rollup/RollupConstants.sol";
import {IL2Bridge} from "../interfaces/IL2Bridge.sol";
import {MessageDataTooLarge} from "../interfaces/RollupErrors.sol";

/// @title L2Bridge
/// @notice The L2 predeploy (at `L2_BRIDGE_ADDRESS`) that delivers L1 → L2 messages and records
/// L2 → L1 messages.
/// @dev It has no constructor: the L2 genesis places its runtime code, empty storage and a large
/// pre-minted ETH balance, so every variable is valid at zero.
/// - L1 → L2: each L2 block's `parentBeaconBlockRoot` is the MessageTree root of the L1 messages
///   it consumes; the EIP-4788 contract stores it on L2 by the block's timestamp. The rollup
///   contract on L1 checks that the block's first transactions are one relay per consumed message
///   (`relayMessage`, or `deferMessage` for a message the block cannot carry), so every anchored
///   message is consumed in its own block: it is executed, or recorded as failed.
/// - A relay runs the call with the message's full gas limit (it reverts if it has less, so the
///   sequencer cannot starve a call into failing). A call that fails, and a deferred message,
///   are recorded in `failedMessages` with the value still held here: anyone may retry the call
///   (`retryMessage`), and the message's L1 sender may take the value back on L2 or on L1
///   (`refundMessage`, directly or through an L1 message to this contract, which no block can defer).
/// - The top-level relayer is paid back its gas at the base fee out of this contract, so relaying
///   does not drain a funded account.
/// - L2 → L1: sending records `keccak256(abi.encode(messageHash, SENT_MESSAGES_SLOT))` = 1; the
///   L1 rollup contract proves that slot against an accepted L2 state root. ETH sent to L1 stays
///   in this contract (it returns to the pre-minted pool) and is paid out on L1 by the rollup.
contract L2Bridge is IL2Bridge {
    /// @notice Largest calldata of an L2 → L1 message (bytes).
    uint256 public constant MAX_MESSAGE_DATA_SIZE = MESSAGE_DATA_SIZE_LIMIT;

    /// @notice Gas a relay keeps beyond the call's own share: the CALL's access, value and
    /// new-account costs, and the failure record, events and reimbursement after it.
    uint256 public constant CALL_RESERVE_GAS = 80_000;

    /// @notice Transaction gas the reimbursement adds to what the relay measured: the intrinsic
    /// 21,000 and the value transfer of the reimbursement itself (calldata is added at 4 gas per
    /// byte, its cheapest price).
    uint256 public constant REIMBURSED_BASE_GAS = 21_000 + 8_000;

    /// @notice Calldata gas reimbursed per byte: the cheapest (zero) byte, so it never pays more than was burned.
    uint256 public constant REIMBURSED_GAS_PER_CALLDATA_BYTE = 4;

    /// @notice Bytes of a failed call's return data kept in `MessageFailed` (bounded so a huge
    /// revert cannot make recording the failure run out of gas).
    uint256 public constant MAX_KEPT_RETURN_DATA = 256;

    /// @notice What `failedMessages` holds for a refunded message (no message hashes to it).
    bytes32 private constant REFUNDED = bytes32(uint256(1));

    /// @notice Byte length of a root returned by the EIP-4788 contract.
    uint256 private constant BEACON_ROOT_SIZE = 32;

    /// @notice Which L1 messages have been consumed (executed, failed or deferred), by nonce.
    mapping(uint256 nonce => bool) public relayed;

    /// @notice The nonce the next L2 → L1 message gets.
    uint256 public sentMessageCount;

    /// @notice Hash of each consumed L1 message whose call has not run to completion (failed or
    /// deferred) and whose value is still held here, by nonce; zero once retried, 1 once refunded.
    mapping(uint256 nonce => bytes32 messageHash) public failedMessages;

    /// @dev The L1 sender of the message being relayed; zero outside a relay.
    address private transient _l1Sender;

    /// @notice Delivers an L1 message: releases its value and calls its target with its full gas
    /// limit. A call that fails is recorded (the value stays here, retryable and refundable).
    /// Anyone may relay; the top-level relayer is reimbursed its gas at the base fee.
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
        uint256 startGas = gasleft();
        bytes32 messageHash = _consume(message, anchorTimestamp, index, proof);
        uint256 required = minimumCallGas(message.gasLimit);
        if (gasleft() < required) revert InsufficientRelayGas(message.nonce, gasleft(), required);

        (bool success, bytes memory returnData) = _deliver(message);
        emit MessageRelayed(message.nonce, messageHash, success);
        if (!success) {
            failedMessages[message.nonce] = messageHash;
            emit MessageFailed(message.nonce, messageHash, FailureReason.CallFailed, returnData);
        }
        _reimburse(startGas);
    }

    /// @notice Consumes an anchored L1 message without running its call, because the block that
    /// anchors it cannot carry that call (its gas or witness would not fit). The message is
    /// recorded as failed: anyone may retry it, its sender may take its value back. Only a
    /// top-level transaction may defer (so a message's call cannot defer the ones after it), and
    /// a refund request is never deferred.
    /// @param message The message, as queued on L1.
    /// @param anchorTimestamp Timestamp of the L2 block whose `parentBeaconBlockRoot` anchors it.
    /// @param index The message's position in that block's message tree.
    /// @param proof Sibling hashes from the leaf to the root.
    function deferMessage(
        L1Message calldata message,
        uint64 anchorTimestamp,
        uint256 index,
        bytes32[] calldata proof
    ) external {
        uint256 startGas = gasleft();
        if (msg.sender != tx.origin) revert DeferNotTopLevel(msg.sender);
        if (isRefundRequest(message.to, message.data)) revert NotDeferrable(message.nonce);
        bytes32 messageHash = _consume(message, anchorTimestamp, index, proof);
        failedMessages[message.nonce] = messageHash;
        emit MessageRelayed(message.nonce, messageHash, false);
        emit MessageFailed(message.nonce, messageHash, FailureReason.Deferred, "");
        _reimburse(startGas);
    }

    /// @notice Runs a failed (or deferred) message's call again with its full gas limit. Anyone
    /// may retry; a retry that fails reverts and leaves the message failed.
    /// @param message The message, as queued on L1.
    function retryMessage(L1Message calldata message) external {
        bytes32 messageHash = _takeFailed(message);
        uint256 required = minimumCallGas(message.gasLimit);
        if (gasleft() < required) revert InsufficientRelayGas(message.nonce, gasleft(), required);
        (bool success, bytes memory returnData) = _deliver(message);
        if (!success) revert MessageCallFailed(message.nonce, returnData);
        emit MessageRetried(message.nonce, messageHash);
    }

    /// @notice Returns a failed (or deferred) message's value, to `to` on L2 or (`onL1`) on L1 as
    /// an L2 → L1 message from the message's sender. Only the message's L1 sender may ask: on L2
    /// from the same externally owned account, or from L1 through a message to this contract
    /// (which covers L1 contracts, and which no block can defer).
    /// @param message The message, as queued on L1.
    /// @param to Who receives the value.
    /// @param onL1 Send it to `to` on L1 instead of paying it on L2.
    function refundMessage(L1Message calldata message, address to, bool onL1) external {
        bool fromL1 = msg.sender == address(this) && _l1Sender == message.from;
        // tx.origin: an L2 contract at the address of an L1 contract is not that contract.
        bool fromSender = msg.sender == message.from && msg.sender == tx.origin;
        if (!fromL1 && !fromSender) revert NotMessageSender(msg.sender, message.from);
        bytes32 messageHash = _takeFailed(message);
        failedMessages[message.nonce] = REFUNDED;
        emit MessageRefunded(message.nonce, messageHash, to, onL1, message.value);
        if (onL1) {
            _record(message.from, to, message.value, "");
        } else {
            (bool paid,) = to.call{value: message.value}("");
            if (!paid) revert RefundFailed(message.nonce, to);
        }
    }

    /// @notice Where the L1 message `nonce` stands on L2.
    /// @param nonce The message's nonce.
    /// @return The state.
    function messageState(uint256 nonce) external view returns (MessageState) {
        if (!relayed[nonce]) return MessageState.Pending;
        bytes32 failed = failedMessages[nonce];
        if (failed == bytes32(0)) return MessageState.Executed;
        return failed == REFUNDED ? MessageState.Refunded : MessageState.Failed;
    }

    /// @notice Gas a relay must still hold when it calls the target: the message's gas limit,
    /// the 64th the CALL withholds (EIP-150), and `CALL_RESERVE_GAS`.
    /// @param gasLimit The message's gas limit.
    /// @return The gas.
    function minimumCallGas(uint256 gasLimit) public pure returns (uint256) {
        return gasLimit + gasLimit / 63 + CALL_RESERVE_GAS;
    }

    /// @notice Whether an L1 message is a refund request: a call of `refundMessage` on this bridge.
    /// @param to The message's target.
    /// @param data The message's calldata.
    /// @return True for a refund request.
    function isRefundRequest(address to, bytes calldata data) public view returns (bool) {
        return to == address(this) && data.length >= 4 && bytes4(data[:4]) == this.refundMessage.selector;
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
        return _record(msg.sender, to, msg.value, data);
    }

    function _record(address from, address to, uint256 value, bytes memory data) private returns (bytes32 messageHash) {
        uint256 nonce = sentMessageCount;
        messageHash = Messages.hash(L2Message({nonce: nonce, from: from, to: to, value: value, data: data}));
        sentMessageCount = nonce + 1;
        uint256 slot = _sentSlot(messageHash);
        assembly ("memory-safe") {
            sstore(slot, 1)
        }
        emit MessageSentToL1(nonce, from, to, value, data, messageHash);
    }

    /// @dev Checks the message against its anchor and marks it consumed; returns its hash.
    function _consume(L1Message calldata message, uint64 anchorTimestamp, uint256 index, bytes32[] calldata proof)
        private
        returns (bytes32 messageHash)
    {
        messageHash = Messages.hash(message);
        bytes32 root = _anchoredRoot(anchorTimestamp);
        if (!MessageTree.verify(root, messageHash, index, proof)) {
            revert InvalidMessageProof(messageHash, root, index);
        }
        if (relayed[message.nonce]) revert AlreadyRelayed(message.nonce);
        relayed[message.nonce] = true;
    }

    /// @dev Clears the failure record of `message` (reverting unless it is held) and returns its hash.
    function _takeFailed(L1Message calldata message) private returns (bytes32 messageHash) {
        messageHash = Messages.hash(message);
        if (failedMessages[message.nonce] != messageHash || messageHash == bytes32(0)) {
            revert NotFailed(message.nonce, messageHash);
        }
        delete failedMessages[message.nonce];
    }

    /// @dev Calls the message's target with its value and exact gas limit, as `l1Sender()` =
    /// its sender; keeps at most `MAX_KEPT_RETURN_DATA` bytes of return data, so a huge revert
    /// cannot starve the bookkeeping after the call.
    function _deliver(L1Message calldata message) private returns (bool success, bytes memory returnData) {
        address previousSender = _l1Sender;
        _l1Sender = message.from;
        bytes memory data = message.data;
        address to = message.to;
        uint256 value = message.value;
        uint256 gasLimit = message.gasLimit;
        uint256 kept = MAX_KEPT_RETURN_DATA;
        assembly ("memory-safe") {
            success := call(gasLimit, to, value, add(data, 32), mload(data), 0, 0)
            let size := returndatasize()
            if gt(size, kept) { size := kept }
            returnData := mload(0x40)
            mstore(returnData, size)
            returndatacopy(add(returnData, 32), 0, size)
            mstore(0x40, add(add(returnData, 32), and(add(size, 31), not(31))))
        }
        _l1Sender = previousSender;
    }

    /// @dev Pays the top-level relayer its gas at the base fee: what it measured, the intrinsic
    /// gas and the calldata at its cheapest, so it never pays out more than the relay burned.
    /// A nested relay (inside another call) is paid by nobody: its gas is the outer relay's.
    function _reimburse(uint256 startGas) private {
        if (msg.sender != tx.origin) return;
        uint256 gasUsed =
            startGas - gasleft() + REIMBURSED_BASE_GAS + REIMBURSED_GAS_PER_CALLDATA_BYTE * msg.data.length;
        uint256 amount = gasUsed * block.basefee;
        // A relayer that refuses the payment only loses it: the relay stands.
        (bool paid,) = msg.sender.call{value: amount, gas: 0}("");
        if (paid) emit RelayReimbursed(msg.sender, amount);
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
