// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The sender query every NativeRollup answers.
interface ICrossDomainSender {
    /// @notice The L2 sender of the message being finalized.
    function l2Sender() external view returns (address);
}

/// @notice Test contract on L1: records who sent the L2 → L1 message that called it.
contract L1Receiver {
    /// @notice `l2Sender()` of the calling rollup during the last call.
    address public lastL2Sender;
    /// @notice `msg.sender` of the last call.
    address public lastCaller;
    /// @notice `msg.value` of the last call.
    uint256 public lastValue;
    /// @notice Argument of the last call.
    uint256 public lastArgument;

    /// @notice A call with this argument reverts.
    uint256 public constant REJECTED_ARGUMENT = 13;

    /// @notice Raised for `REJECTED_ARGUMENT`.
    error Rejected(uint256 argument);

    /// @notice Records the call's context.
    /// @param argument Any number but `REJECTED_ARGUMENT`.
    function receiveMessage(uint256 argument) external payable {
        if (argument == REJECTED_ARGUMENT) revert Rejected(argument);
        lastL2Sender = ICrossDomainSender(msg.sender).l2Sender();
        lastCaller = msg.sender;
        lastValue = msg.value;
        lastArgument = argument;
    }
}
