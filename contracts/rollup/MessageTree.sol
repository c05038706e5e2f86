// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MessageTree
/// @notice Binary keccak Merkle tree over message hashes: the leaves are padded with `bytes32(0)`
/// to the next power of two and a node is `keccak256(abi.encodePacked(left, right))`. The root of
/// no leaves is `bytes32(0)`; the root of one leaf is that leaf.
/// @dev Leaves are hashes of ABI-encoded messages (at least 192 bytes of preimage) and nodes hash
/// exactly 64 bytes, so an inner node cannot be passed off as a leaf without a keccak collision.
library MessageTree {
    /// @notice Computes the root of `leaves`.
    /// @param leaves The leaves in order; not modified.
    /// @return The Merkle root.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 count = leaves.length;
        if (count == 0) return bytes32(0);
        if (count == 1) return leaves[0];

        uint256 width = 1;
        while (width < count) width <<= 1;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i; i < count; ++i) level[i] = leaves[i];

        while (width > 1) {
            width >>= 1;
            for (uint256 i; i < width; ++i) level[i] = hashPair(level[2 * i], level[2 * i + 1]);
        }
        return level[0];
    }

    /// @notice Checks that `leaf` sits at `index` of the tree with root `root_`.
    /// @param root_ The tree's root.
    /// @param leaf The leaf.
    /// @param index The leaf's position; must fit in `proof.length` bits.
    /// @param proof The sibling of each node on the path, from the leaf up.
    /// @return True when the proof is valid.
    function verify(bytes32 root_, bytes32 leaf, uint256 index, bytes32[] memory proof)
        internal
        pure
        returns (bool)
    {
        uint256 depth = proof.length;
        if (depth < 256 && index >> depth != 0) return false;
        bytes32 node = leaf;
        for (uint256 i; i < depth; ++i) {
            node = (index >> i) & 1 == 0 ? hashPair(node, proof[i]) : hashPair(proof[i], node);
        }
        return node == root_;
    }

    /// @notice `keccak256(abi.encodePacked(left, right))`.
    /// @param left The left child.
    /// @param right The right child.
    /// @return node The parent node.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 node) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            node := keccak256(0x00, 0x40)
        }
    }
}
