// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Forwarder
/// @notice Test contract: passes a call on to a target (as a multisig or a relayer contract
/// would), so the target sees this contract as `msg.sender` and the outer transaction's calldata
/// is `forward(target, data)`, not the target's own call. Used to show that a follower finds an
/// accepted block's body in the calldata of a transaction that called the rollup indirectly.
contract Forwarder {
    /// @notice The forwarded call reverted.
    /// @param returnData The target's revert data.
    error ForwardFailed(bytes returnData);

    /// @notice Calls `target` with `data` and `msg.value`; reverts with the target's revert data.
    /// @param target The contract to call.
    /// @param data The calldata of the call.
    /// @return The target's return data.
    function forward(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory returnData) = target.call{value: msg.value}(data);
        if (!ok) revert ForwardFailed(returnData);
        return returnData;
    }
}
