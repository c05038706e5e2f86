// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute} from "../Execute.sol";

/// @notice An RLP item in memory: `length` bytes of encoding (prefix included) from `ptr`.
struct RlpItem {
    uint256 ptr;
    uint256 length;
}

/// @title Rlp
/// @notice A strict RLP reader for EXECUTE's proof mode in Solidity (ProofModeExecute).
/// @dev Written for that use rather than reused from contracts-bedrock's RLPReader, which caps a
/// list at 32 items (a block's transaction list is longer). Every malformed encoding reverts with
/// EXECUTE's own `ExecuteInvalid(MalformedInput, reason)`, as the precompile reports it, and the
/// non-canonical forms the precompile's RLP decoder refuses are refused here too.
library Rlp {
    /// @notice EXECUTE's code for an input that does not decode (precompiles/errors.ts).
    uint8 internal constant MALFORMED_INPUT = 1;

    /// @dev Prefix boundaries of RLP (Yellow Paper, appendix B).
    uint256 private constant SHORT_STRING = 0x80;
    uint256 private constant LONG_STRING = 0xb8;
    uint256 private constant SHORT_LIST = 0xc0;
    uint256 private constant LONG_LIST = 0xf8;
    uint256 private constant MAX_SHORT_LENGTH = 55;

    /// @notice The item spanning all of `encoded`, which must be exactly one RLP item.
    /// @param encoded The encoding.
    /// @param what What it is, for the error.
    /// @return item The item.
    function toItem(bytes memory encoded, string memory what) internal pure returns (RlpItem memory item) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(encoded, 0x20)
        }
        (, uint256 offset, uint256 length) = _prefix(ptr, encoded.length, what);
        if (offset + length != encoded.length) _fail(what, "has bytes after its RLP item");
        item = RlpItem(ptr, encoded.length);
    }

    /// @notice Whether the item is a list.
    /// @param item The item.
    /// @return True for a list.
    function isList(RlpItem memory item) internal pure returns (bool) {
        return _firstByte(item.ptr) >= SHORT_LIST;
    }

    /// @notice The items of a list.
    /// @param list The list.
    /// @param what What it is, for the error.
    /// @return out Its items, in order.
    function items(RlpItem memory list, string memory what) internal pure returns (RlpItem[] memory out) {
        (bool listy, uint256 offset, uint256 length) = _prefix(list.ptr, list.length, what);
        if (!listy) _fail(what, "is not an RLP list");
        uint256 end = list.ptr + offset + length;
        uint256 count;
        for (uint256 p = list.ptr + offset; p < end; ++count) p += _itemLength(p, end - p, what);
        out = new RlpItem[](count);
        uint256 ptr = list.ptr + offset;
        for (uint256 i; i < count; ++i) {
            uint256 itemLength = _itemLength(ptr, end - ptr, what);
            out[i] = RlpItem(ptr, itemLength);
            ptr += itemLength;
        }
    }

    /// @notice Whether the `length` bytes at `ptr` are a sequence of canonical RLP items, lists
    /// checked down to `depth` levels (deeper lists count as not well-formed). Never reverts: the
    /// caller decides what a malformed encoding means.
    /// @param ptr Start of the sequence.
    /// @param length Its length.
    /// @param depth How many levels of nested lists to check.
    /// @return True when every item, nested ones included, is canonical and fits.
    function wellFormed(uint256 ptr, uint256 length, uint256 depth) internal pure returns (bool) {
        uint256 end = ptr + length;
        while (ptr < end) {
            (string memory problem, bool listy, uint256 offset, uint256 itemLength) = _readPrefix(ptr, end - ptr);
            if (bytes(problem).length != 0) return false;
            if (listy && (depth == 0 || !wellFormed(ptr + offset, itemLength, depth - 1))) return false;
            ptr += offset + itemLength;
        }
        return true;
    }

    /// @notice The payload of a list item: where it starts and how long it is.
    /// @param list The list.
    /// @param what What it is, for the error.
    /// @return ptr Start of the payload.
    /// @return length Its length.
    function listContents(RlpItem memory list, string memory what) internal pure returns (uint256 ptr, uint256 length) {
        (bool listy, uint256 offset, uint256 payloadLength) = _prefix(list.ptr, list.length, what);
        if (!listy) _fail(what, "is not an RLP list");
        return (list.ptr + offset, payloadLength);
    }

    /// @notice The item at `ptr`, which must fit in `available` bytes.
    /// @param ptr Where it starts.
    /// @param available Bytes it may span.
    /// @param what What it is, for the error.
    /// @return item The item.
    function itemAt(uint256 ptr, uint256 available, string memory what) internal pure returns (RlpItem memory item) {
        item = RlpItem(ptr, _itemLength(ptr, available, what));
    }

    /// @notice The payload of a string item: where it starts and how long it is.
    /// @param item The item.
    /// @param what What it is, for the error.
    /// @return ptr Start of the payload.
    /// @return length Its length.
    function payload(RlpItem memory item, string memory what) internal pure returns (uint256 ptr, uint256 length) {
        (bool listy, uint256 offset, uint256 payloadLength) = _prefix(item.ptr, item.length, what);
        if (listy) _fail(what, "is a list, not a string");
        return (item.ptr + offset, payloadLength);
    }

    /// @notice The payload of a string item, copied.
    /// @param item The item.
    /// @param what What it is, for the error.
    /// @return out The bytes.
    function toBytes(RlpItem memory item, string memory what) internal pure returns (bytes memory out) {
        (uint256 ptr, uint256 length) = payload(item, what);
        out = copy(ptr, length);
    }

    /// @notice A big-endian unsigned integer of at most `maxBytes` bytes.
    /// @param item The item.
    /// @param maxBytes Most bytes the value may take (at most 32).
    /// @param what What it is, for the error.
    /// @return value The integer.
    function toUint(RlpItem memory item, uint256 maxBytes, string memory what) internal pure returns (uint256 value) {
        (uint256 ptr, uint256 length) = payload(item, what);
        if (length > maxBytes) _fail(what, "is longer than its type allows");
        if (length == 0) return 0;
        assembly ("memory-safe") {
            value := shr(sub(256, mul(8, length)), mload(ptr))
        }
    }

    /// @notice A 32-byte string (a hash or root).
    /// @param item The item.
    /// @param what What it is, for the error.
    /// @return value The word.
    function toWord(RlpItem memory item, string memory what) internal pure returns (bytes32 value) {
        (uint256 ptr, uint256 length) = payload(item, what);
        if (length != 32) _fail(what, "is not 32 bytes");
        assembly ("memory-safe") {
            value := mload(ptr)
        }
    }

    /// @notice A 20-byte string (an address).
    /// @param item The item.
    /// @param what What it is, for the error.
    /// @return value The address.
    function toAddress(RlpItem memory item, string memory what) internal pure returns (address value) {
        (uint256 ptr, uint256 length) = payload(item, what);
        if (length != 20) _fail(what, "is not 20 bytes");
        assembly ("memory-safe") {
            value := shr(96, mload(ptr))
        }
    }

    /// @notice keccak256 of the item's whole encoding (a header's hash).
    /// @param item The item.
    /// @return digest The hash.
    function hash(RlpItem memory item) internal pure returns (bytes32 digest) {
        uint256 ptr = item.ptr;
        uint256 length = item.length;
        assembly ("memory-safe") {
            digest := keccak256(ptr, length)
        }
    }

    /// @notice The item's whole encoding, copied.
    /// @param item The item.
    /// @return out The bytes.
    function raw(RlpItem memory item) internal pure returns (bytes memory out) {
        out = copy(item.ptr, item.length);
    }

    /// @notice Copies `length` bytes of memory from `src`.
    /// @param src Where to copy from.
    /// @param length How many bytes.
    /// @return out The copy.
    function copy(uint256 src, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), src, length)
        }
    }

    /// @notice RLP of a string: `value` with its length prefix.
    /// @param value The string.
    /// @return The encoding.
    function encodeString(bytes memory value) internal pure returns (bytes memory) {
        if (value.length == 1 && uint8(value[0]) < SHORT_STRING) return value;
        return bytes.concat(_lengthPrefix(SHORT_STRING, value.length), value);
    }

    /// @notice RLP of a list whose items, already encoded, are concatenated in `payload`.
    /// @param listPayload The encoded items.
    /// @return The encoding.
    function encodeList(bytes memory listPayload) internal pure returns (bytes memory) {
        return bytes.concat(_lengthPrefix(SHORT_LIST, listPayload.length), listPayload);
    }

    /// @dev The prefix of a string (`base` 0x80) or list (`base` 0xc0) of `length` bytes.
    function _lengthPrefix(uint256 base, uint256 length) private pure returns (bytes memory) {
        if (length <= MAX_SHORT_LENGTH) return abi.encodePacked(uint8(base + length));
        uint256 size;
        for (uint256 v = length; v != 0; v >>= 8) ++size;
        bytes memory prefix = new bytes(1 + size);
        prefix[0] = bytes1(uint8(base + MAX_SHORT_LENGTH + size));
        for (uint256 i; i < size; ++i) prefix[size - i] = bytes1(uint8(length >> (8 * i)));
        return prefix;
    }

    /// @dev Whole length (prefix and payload) of the item at `ptr`, within `available` bytes.
    function _itemLength(uint256 ptr, uint256 available, string memory what) private pure returns (uint256) {
        (, uint256 offset, uint256 length) = _prefix(ptr, available, what);
        return offset + length;
    }

    /// @dev Decodes the prefix at `ptr`: list or string, payload offset and length. Reverts when
    /// the item does not fit in `available` bytes or is not in canonical form.
    function _prefix(uint256 ptr, uint256 available, string memory what)
        private
        pure
        returns (bool listy, uint256 offset, uint256 length)
    {
        string memory problem;
        (problem, listy, offset, length) = _readPrefix(ptr, available);
        if (bytes(problem).length != 0) _fail(what, problem);
    }

    /// @dev `_prefix` without reverting: `problem` is empty when the prefix is canonical and fits.
    function _readPrefix(uint256 ptr, uint256 available)
        private
        pure
        returns (string memory problem, bool listy, uint256 offset, uint256 length)
    {
        if (available == 0) return ("is empty where an RLP item was expected", false, 0, 0);
        uint256 first = _firstByte(ptr);
        if (first < SHORT_STRING) return ("", false, 0, 1);
        if (first < LONG_STRING) {
            (offset, length) = (1, first - SHORT_STRING);
            if (length == 1 && available > 1 && _firstByte(ptr + 1) < SHORT_STRING) {
                return ("has a single byte below 0x80 with a prefix", false, 0, 0);
            }
        } else if (first < SHORT_LIST) {
            (problem, offset, length) = _longLength(ptr, available, first - (LONG_STRING - 1));
        } else if (first < LONG_LIST) {
            (listy, offset, length) = (true, 1, first - SHORT_LIST);
        } else {
            listy = true;
            (problem, offset, length) = _longLength(ptr, available, first - (LONG_LIST - 1));
        }
        if (bytes(problem).length == 0 && offset + length > available) problem = "is shorter than its RLP prefix says";
    }

    /// @dev Offset and length of a long-form item whose length takes `size` bytes after the prefix.
    function _longLength(uint256 ptr, uint256 available, uint256 size)
        private
        pure
        returns (string memory problem, uint256 offset, uint256 length)
    {
        if (available <= size) return ("is shorter than its RLP prefix says", 0, 0);
        if (_firstByte(ptr + 1) == 0) return ("has a length with leading zeros", 0, 0);
        assembly ("memory-safe") {
            length := shr(sub(256, mul(8, size)), mload(add(ptr, 1)))
        }
        if (length <= MAX_SHORT_LENGTH) return ("uses the long form for a short item", 0, 0);
        offset = 1 + size;
    }

    function _firstByte(uint256 ptr) private pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, mload(ptr))
        }
    }

    function _fail(string memory what, string memory problem) private pure {
        revert Execute.ExecuteInvalid(MALFORMED_INPUT, string.concat(what, " ", problem));
    }
}
