// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L1Message, L2Message, Messages} from "../rollup/Messages.sol";
import {MessageTree} from "../rollup/MessageTree.sol";

/// @notice Test contract: exposes the message hashing and tree libraries.
contract MessagesHarness {
    /// @notice `MessageTree.root`.
    function root(bytes32[] calldata leaves) external pure returns (bytes32) {
        return MessageTree.root(leaves);
    }

    /// @notice `MessageTree.verify`.
    function verify(bytes32 root_, bytes32 leaf, uint256 index, bytes32[] calldata proof) external pure returns (bool) {
        return MessageTree.verify(root_, leaf, index, proof);
    }

    /// @notice `Messages.hash` of an L1 → L2 message.
    function hashL1(L1Message calldata message) external pure returns (bytes32) {
        return Messages.hash(message);
    }

    /// @notice `Messages.hash` of an L2 → L1 message.
    function hashL2(L2Message calldata message) external pure returns (bytes32) {
        return Messages.hash(message);
    }
}
