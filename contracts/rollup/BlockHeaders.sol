// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RLPReader} from "@eth-optimism/contracts-bedrock/src/libraries/rlp/RLPReader.sol";

import {ExecuteResult} from "../Execute.sol";

/// @notice What an L2 block's header claims, read without verifying anything.
/// @param blockHash keccak256 of the header's RLP.
/// @param parentHash The parent's hash.
/// @param coinbase The fee recipient.
/// @param stateRoot The claimed post-state root.
/// @param receiptsRoot The claimed receipts root.
/// @param number The block number.
/// @param gasLimit The block gas limit.
/// @param gasUsed The claimed gas used.
/// @param timestamp The block timestamp.
/// @param baseFeePerGas The EIP-1559 base fee.
/// @param parentBeaconBlockRoot The L1 anchor (docs/DESIGN.md §4.4).
struct BlockHeader {
    bytes32 blockHash;
    bytes32 parentHash;
    address coinbase;
    bytes32 stateRoot;
    bytes32 receiptsRoot;
    uint64 number;
    uint64 gasLimit;
    uint64 gasUsed;
    uint64 timestamp;
    uint256 baseFeePerGas;
    bytes32 parentBeaconBlockRoot;
}

/// @title BlockHeaders
/// @notice Reads the header of an RLP L2 block `[header, transactions, ommers, withdrawals]`.
/// @dev Only the encoding is checked (field count and sizes). Whether the claims are true is
/// EXECUTE's job: a block whose header lies is invalid, and an optimistic rollup lets anyone
/// show that by a challenge.
library BlockHeaders {
    /// @notice Index of the header in a block's RLP list.
    uint256 private constant HEADER_INDEX = 0;

    /// @dev Indices of the fields read from a post-Cancun header's RLP list.
    uint256 private constant PARENT_HASH_INDEX = 0;
    uint256 private constant COINBASE_INDEX = 2;
    uint256 private constant STATE_ROOT_INDEX = 3;
    uint256 private constant RECEIPTS_ROOT_INDEX = 5;
    uint256 private constant NUMBER_INDEX = 8;
    uint256 private constant GAS_LIMIT_INDEX = 9;
    uint256 private constant GAS_USED_INDEX = 10;
    uint256 private constant TIMESTAMP_INDEX = 11;
    uint256 private constant BASE_FEE_INDEX = 15;
    uint256 private constant PARENT_BEACON_BLOCK_ROOT_INDEX = 19;

    /// @notice Fewest fields of a header that carries `parentBeaconBlockRoot` (Cancun and later).
    uint256 private constant MIN_HEADER_FIELDS = PARENT_BEACON_BLOCK_ROOT_INDEX + 1;

    /// @notice The block's header has too few fields for the fork.
    /// @param fieldCount How many it has.
    error HeaderTooShort(uint256 fieldCount);

    /// @notice A header field has the wrong size.
    /// @param index The field's index in the header list.
    /// @param size Its size in bytes.
    error MalformedHeaderField(uint256 index, uint256 size);

    /// @notice Reads the header of `block_` and hashes it.
    /// @param block_ RLP of a full L2 block.
    /// @return h The header's claims and hash.
    function decode(bytes memory block_) internal pure returns (BlockHeader memory h) {
        RLPReader.RLPItem memory header = RLPReader.readList(block_)[HEADER_INDEX];
        uint256 start = RLPReader.MemoryPointer.unwrap(header.ptr);
        uint256 length = header.length;
        bytes32 blockHash;
        assembly ("memory-safe") {
            blockHash := keccak256(start, length)
        }
        RLPReader.RLPItem[] memory fields = RLPReader.readList(header);
        if (fields.length < MIN_HEADER_FIELDS) revert HeaderTooShort(fields.length);

        h.blockHash = blockHash;
        h.parentHash = _word(fields, PARENT_HASH_INDEX);
        h.coinbase = _address(fields, COINBASE_INDEX);
        h.stateRoot = _word(fields, STATE_ROOT_INDEX);
        h.receiptsRoot = _word(fields, RECEIPTS_ROOT_INDEX);
        h.number = uint64(_uint(fields, NUMBER_INDEX, 8));
        h.gasLimit = uint64(_uint(fields, GAS_LIMIT_INDEX, 8));
        h.gasUsed = uint64(_uint(fields, GAS_USED_INDEX, 8));
        h.timestamp = uint64(_uint(fields, TIMESTAMP_INDEX, 8));
        h.baseFeePerGas = _uint(fields, BASE_FEE_INDEX, 32);
        h.parentBeaconBlockRoot = _word(fields, PARENT_BEACON_BLOCK_ROOT_INDEX);
    }

    /// @notice The gas limit of the header `header` (RLP, in calldata), read in place without
    /// copying or decoding the rest. Unchecked: only for a header whose hash the caller matched to
    /// one already known well formed (the genesis a rollup was deployed on, or a header EXECUTE
    /// accepted or `decode` read), such as the parent header of `advance` or `propose`. Shared by
    /// NativeRollup and OptimisticRollup (the floor's climb and the fixed optimistic gas limit).
    /// @param header RLP of a header.
    /// @return gasLimit Its gas limit.
    function gasLimitOf(bytes calldata header) internal pure returns (uint256 gasLimit) {
        assembly ("memory-safe") {
            // Past the list's prefix: one byte, and as many length bytes as it says past 0xf7.
            let p := header.offset
            let listPrefix := byte(0, calldataload(p))
            p := add(p, add(1, mul(gt(listPrefix, 0xf7), sub(listPrefix, 0xf7))))
            // Past the fields before it, all byte strings: one byte below 0x80, a short string
            // (0x80 + length), or a long one (0xb7 + length of length, then the length).
            for { let i := 0 } lt(i, GAS_LIMIT_INDEX) { i := add(i, 1) } {
                let prefix := byte(0, calldataload(p))
                switch lt(prefix, 0xb8)
                case 1 { p := add(p, add(1, mul(gt(prefix, 0x7f), sub(prefix, 0x80)))) }
                default {
                    let lengthOfLength := sub(prefix, 0xb7)
                    let length := shr(sub(256, mul(8, lengthOfLength)), calldataload(add(p, 1)))
                    p := add(p, add(add(1, lengthOfLength), length))
                }
            }
            // A single byte below 0x80 is itself; 0x80 + length then the bytes (0x80: zero).
            let prefix := byte(0, calldataload(p))
            gasLimit := prefix
            if gt(prefix, 0x7f) { gasLimit := shr(sub(256, mul(8, sub(prefix, 0x80))), calldataload(add(p, 1))) }
        }
    }

    /// @notice What EXECUTE would return for the block if its header's claims are true.
    /// @param h The header.
    /// @return r The commitments (`burnedFees` = base fee × gas used, as EXECUTE computes it).
    function toExecuteResult(BlockHeader memory h) internal pure returns (ExecuteResult memory r) {
        r.blockHash = h.blockHash;
        r.stateRoot = h.stateRoot;
        r.receiptsRoot = h.receiptsRoot;
        r.number = h.number;
        r.timestamp = h.timestamp;
        r.gasLimit = h.gasLimit;
        r.gasUsed = h.gasUsed;
        r.baseFeePerGas = h.baseFeePerGas;
        r.burnedFees = h.baseFeePerGas * h.gasUsed;
        r.coinbase = h.coinbase;
        r.parentBeaconBlockRoot = h.parentBeaconBlockRoot;
    }

    /// @dev A 32-byte field (a hash or root).
    function _word(RLPReader.RLPItem[] memory fields, uint256 index) private pure returns (bytes32) {
        bytes memory value = RLPReader.readBytes(fields[index]);
        if (value.length != 32) revert MalformedHeaderField(index, value.length);
        return bytes32(value);
    }

    /// @dev A 20-byte field (an address).
    function _address(RLPReader.RLPItem[] memory fields, uint256 index) private pure returns (address) {
        bytes memory value = RLPReader.readBytes(fields[index]);
        if (value.length != 20) revert MalformedHeaderField(index, value.length);
        return address(bytes20(value));
    }

    /// @dev A big-endian unsigned field of at most `maxSize` bytes.
    function _uint(RLPReader.RLPItem[] memory fields, uint256 index, uint256 maxSize) private pure returns (uint256 v) {
        bytes memory value = RLPReader.readBytes(fields[index]);
        uint256 size = value.length;
        if (size > maxSize) revert MalformedHeaderField(index, size);
        for (uint256 i; i < size; ++i) {
            v = (v << 8) | uint8(value[i]);
        }
    }
}
