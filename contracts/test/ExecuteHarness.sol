// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";

/// @notice Test contract: verifies L2 blocks through Execute.sol and records the last result.
contract ExecuteHarness {
    /// @notice The most recent verified block.
    ExecuteResult public last;

    /// @notice Emitted for every block EXECUTE accepts.
    event BlockVerified(bytes32 indexed blockHash, uint64 indexed number, bytes32 stateRoot, uint64 gasUsed);

    /// @notice Verifies a block and stores its result.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent header.
    /// @param block_ RLP of the block.
    /// @param witness The stateless witness.
    function verify(uint64 chainId, bytes calldata parentHeader, bytes calldata block_, bytes calldata witness) external {
        ExecuteResult memory result = Execute.execute(chainId, parentHeader, block_, witness);
        last = result;
        emit BlockVerified(result.blockHash, result.number, result.stateRoot, result.gasUsed);
    }
}
