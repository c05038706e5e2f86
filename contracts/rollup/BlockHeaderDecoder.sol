// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlockHeader, BlockHeaders} from "./BlockHeaders.sol";

/// @title BlockHeaderDecoder
/// @notice `BlockHeaders.decode` behind an external call: reads what a posted L2 block's header
/// claims, and hashes it.
/// @dev Stateless and pure. Each OptimisticRollup deploys its own in its constructor and calls it
/// from `propose`: the header reader (with the RLP library it uses, ≈ 3.6 KB) is then part of the
/// rollup's initcode (EIP-3860: 49,152 bytes) instead of its runtime code (EIP-170: 24,576 bytes),
/// as L2MessageProver is (docs/design/codesize.md). A header it refuses reverts here with
/// `BlockHeaders`' errors or the RLP reader's, and the rollup's call bubbles that revert unchanged.
contract BlockHeaderDecoder {
    /// @notice Reads the header of `block_` and hashes it (`BlockHeaders.decode`).
    /// @param block_ RLP of a full L2 block.
    /// @return The header's claims and hash.
    function decode(bytes calldata block_) external pure returns (BlockHeader memory) {
        return BlockHeaders.decode(block_);
    }
}
