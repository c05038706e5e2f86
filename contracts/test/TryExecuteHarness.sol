// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";

/// @notice Test contract: reports what `Execute.tryExecute` returns instead of reverting.
contract TryExecuteHarness {
    /// @notice Emitted with the outcome of every call.
    event Outcome(bool ok, bytes32 blockHash, uint8 code, string reason, bool blockInvalid);

    /// @notice Runs `tryExecute` (re-execution) and emits the outcome.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent header.
    /// @param block_ RLP of the block.
    /// @param witness The stateless witness.
    /// @param gasLimit Most gas to pass to EXECUTE.
    function check(uint64 chainId, bytes calldata parentHeader, bytes calldata block_, bytes calldata witness, uint256 gasLimit)
        external
    {
        (bool ok, ExecuteResult memory result, uint8 code, string memory reason) =
            Execute.tryExecute(chainId, parentHeader, block_, witness, "", gasLimit);
        emit Outcome(ok, result.blockHash, code, reason, Execute.isBlockInvalid(code));
    }

    /// @notice Decodes revert data as `tryExecute` does.
    /// @param output Revert data.
    /// @return code The code.
    /// @return reason The reason.
    function decodeFailure(bytes memory output) external pure returns (uint8 code, string memory reason) {
        return Execute.decodeFailure(output);
    }
}
