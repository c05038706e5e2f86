// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rlp} from "./Rlp.sol";

/// @title OrderedTrie
/// @notice The root of the Merkle-Patricia trie that maps `rlp(i)` to the i-th value: a header's
/// transactions root (and receipts root) over a block's ordered list.
/// @dev Built bottom-up over the keys in byte order, as the Yellow Paper defines the trie
/// (appendix D): a single key under a path is a leaf, keys sharing a longer prefix get an
/// extension, and keys that diverge at a nibble get a branch. `rlp(i)` keys are prefix-free
/// (0x80, 0x01…0x7f, 0x81xx, 0x82xxxx, …: no encoding starts another), so no branch ever holds a
/// value. A node whose encoding is under 32 bytes is embedded in its parent, larger ones by hash.
library OrderedTrie {
    /// @notice Root of the empty trie: keccak256(rlp("")).
    bytes32 internal constant EMPTY_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @dev RLP of the empty string: an absent child of a branch.
    bytes1 private constant EMPTY_STRING = 0x80;
    /// @dev Hex-prefix flag of a leaf path (an extension's is zero).
    uint8 private constant LEAF_FLAG = 2;
    uint256 private constant BRANCH_WIDTH = 16;

    /// @notice The trie root of `values` under keys `rlp(0)`, `rlp(1)`, …
    /// @param values The values in list order (for transactions: each transaction's encoding).
    /// @return The root.
    function root(bytes[] memory values) internal pure returns (bytes32) {
        uint256 n = values.length;
        if (n == 0) return EMPTY_ROOT;
        (bytes[] memory keys, bytes[] memory sortedValues) = _sortedKeys(values);
        return keccak256(_node(keys, sortedValues, 0, n, 0));
    }

    /// @dev The nibbles of `rlp(i)` for every index, in byte order, with the values in that order.
    /// `rlp(0)` = 0x80 sorts after the single bytes 0x01…0x7f and before the long forms 0x81…,
    /// which sort by value (a longer integer has a larger prefix byte).
    function _sortedKeys(bytes[] memory values) private pure returns (bytes[] memory keys, bytes[] memory sorted) {
        uint256 n = values.length;
        keys = new bytes[](n);
        sorted = new bytes[](n);
        uint256 position;
        for (uint256 i = 1; i < n && i < SINGLE_BYTE_LIMIT; ++i) {
            (keys[position], sorted[position]) = (_nibbles(i), values[i]);
            ++position;
        }
        (keys[position], sorted[position]) = (_nibbles(0), values[0]);
        ++position;
        for (uint256 i = SINGLE_BYTE_LIMIT; i < n; ++i) {
            (keys[position], sorted[position]) = (_nibbles(i), values[i]);
            ++position;
        }
    }

    /// @dev Indices below this are encoded as the single byte itself.
    uint256 private constant SINGLE_BYTE_LIMIT = 0x80;

    /// @dev The nibbles (one per byte) of `rlp(index)`.
    function _nibbles(uint256 index) private pure returns (bytes memory out) {
        bytes memory key;
        if (index == 0) {
            key = hex"80";
        } else if (index < SINGLE_BYTE_LIMIT) {
            key = abi.encodePacked(uint8(index));
        } else {
            uint256 size;
            for (uint256 v = index; v != 0; v >>= 8) ++size;
            key = new bytes(1 + size);
            key[0] = bytes1(uint8(0x80 + size));
            for (uint256 i; i < size; ++i) key[size - i] = bytes1(uint8(index >> (8 * i)));
        }
        out = new bytes(2 * key.length);
        for (uint256 i; i < key.length; ++i) {
            out[2 * i] = bytes1(uint8(key[i]) >> 4);
            out[2 * i + 1] = bytes1(uint8(key[i]) & 0x0f);
        }
    }

    /// @dev RLP of the node holding keys[lo..hi) below `depth` nibbles.
    function _node(bytes[] memory keys, bytes[] memory values, uint256 lo, uint256 hi, uint256 depth)
        private
        pure
        returns (bytes memory)
    {
        if (hi - lo == 1) {
            bytes memory key = keys[lo];
            return Rlp.encodeList(
                bytes.concat(Rlp.encodeString(_hexPrefix(key, depth, key.length, true)), Rlp.encodeString(values[lo]))
            );
        }
        // Sorted keys: the first and last share exactly the prefix that all of them share.
        bytes memory first = keys[lo];
        bytes memory last = keys[hi - 1];
        uint256 end = depth;
        while (end < first.length && end < last.length && first[end] == last[end]) ++end;
        if (end > depth) {
            bytes memory child = _node(keys, values, lo, hi, end);
            return Rlp.encodeList(bytes.concat(Rlp.encodeString(_hexPrefix(first, depth, end, false)), _reference(child)));
        }
        bytes memory branch;
        uint256 start = lo;
        for (uint256 nibble; nibble < BRANCH_WIDTH; ++nibble) {
            uint256 stop = start;
            while (stop < hi && uint8(keys[stop][depth]) == nibble) ++stop;
            branch = bytes.concat(branch, stop == start ? bytes.concat(EMPTY_STRING) : _reference(_node(keys, values, start, stop, depth + 1)));
            start = stop;
        }
        return Rlp.encodeList(bytes.concat(branch, EMPTY_STRING));
    }

    /// @dev How a parent refers to a child: embedded below 32 bytes, by hash otherwise.
    function _reference(bytes memory node) private pure returns (bytes memory) {
        if (node.length < 32) return node;
        return Rlp.encodeString(abi.encodePacked(keccak256(node)));
    }

    /// @dev Hex-prefix encoding of nibbles key[from..to) (Yellow Paper, appendix C).
    function _hexPrefix(bytes memory key, uint256 from, uint256 to, bool leaf) private pure returns (bytes memory out) {
        uint256 count = to - from;
        uint8 flag = leaf ? LEAF_FLAG : 0;
        bool odd = count % 2 == 1;
        out = new bytes(count / 2 + 1);
        uint256 next = from;
        if (odd) {
            out[0] = bytes1(((flag + 1) << 4) | uint8(key[next]));
            ++next;
        } else {
            out[0] = bytes1(flag << 4);
        }
        for (uint256 i = 1; i < out.length; ++i) {
            out[i] = bytes1((uint8(key[next]) << 4) | uint8(key[next + 1]));
            next += 2;
        }
    }
}
