// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2Bridge} from "../l2/L2Bridge.sol";
import {L2_BRIDGE_ADDRESS} from "../rollup/RollupConstants.sol";

/// @notice Test contract on L2: records who sent the L1 → L2 message that called it.
contract L2Receiver {
    /// @notice `L2Bridge.l1Sender()` during the last call.
    address public lastL1Sender;
    /// @notice `msg.sender` of the last call.
    address public lastCaller;
    /// @notice `msg.value` of the last call.
    uint256 public lastValue;
    /// @notice Argument of the last call.
    uint256 public lastArgument;

    /// @notice Records the call's context.
    /// @param argument Any number.
    function receiveMessage(uint256 argument) external payable {
        lastL1Sender = L2Bridge(L2_BRIDGE_ADDRESS).l1Sender();
        lastCaller = msg.sender;
        lastValue = msg.value;
        lastArgument = argument;
    }
}
