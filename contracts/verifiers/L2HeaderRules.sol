// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute} from "../Execute.sol";
import {Rlp, RlpItem} from "./Rlp.sol";

/// @notice The fields of an L2 header (Prague/Osaka layout, 21 fields) that EXECUTE's checks read.
/// @param hash keccak256 of the header's RLP.
struct L2Header {
    bytes32 hash;
    bytes32 parentHash;
    bytes32 ommersHash;
    address coinbase;
    bytes32 stateRoot;
    bytes32 transactionsRoot;
    bytes32 receiptsRoot;
    uint256 difficulty;
    uint64 number;
    uint64 gasLimit;
    uint64 gasUsed;
    uint64 timestamp;
    uint256 extraDataLength;
    bytes8 nonce;
    uint256 baseFeePerGas;
    bytes32 withdrawalsRoot;
    uint64 blobGasUsed;
    uint64 excessBlobGas;
    bytes32 parentBeaconBlockRoot;
    bytes32 requestsHash;
}

/// @title L2HeaderRules
/// @notice The header checks EXECUTE makes without executing (precompiles/headerRules.ts), in
/// Solidity: the header against its parent, the fields the fork fixes, and what a native L2 block
/// may not carry. Each failure reverts with EXECUTE's own `ExecuteInvalid(code, reason)`.
library L2HeaderRules {
    /// @dev EXECUTE's failure codes (precompiles/errors.ts).
    uint8 internal constant PARENT_MISMATCH = 64;
    uint8 internal constant INVALID_TIMESTAMP = 65;
    uint8 internal constant INVALID_GAS_LIMIT = 66;
    uint8 internal constant INVALID_BASE_FEE = 67;
    uint8 internal constant INVALID_HEADER = 68;
    uint8 internal constant UNSUPPORTED_CONTENT = 69;

    /// @notice Fields of a Prague/Osaka header (through `requestsHash`): the L2 fork of the devnet.
    uint256 internal constant HEADER_FIELDS = 21;

    /// @notice EIP-1559: the gas limit moves by less than parent / 1024 per block.
    uint256 internal constant GAS_LIMIT_BOUND_DIVISOR = 1024;
    /// @notice Yellow Paper minimum gas limit.
    uint256 internal constant MIN_GAS_LIMIT = 5000;
    /// @notice EIP-1559 elasticity multiplier and base fee change denominator.
    uint256 internal constant ELASTICITY_MULTIPLIER = 2;
    uint256 internal constant BASE_FEE_MAX_CHANGE_DENOMINATOR = 8;
    uint256 internal constant MAX_EXTRA_DATA_BYTES = 32;

    /// @notice keccak256(rlp([])): the ommers hash of a block without ommers.
    bytes32 internal constant EMPTY_OMMERS_HASH = 0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347;
    /// @notice keccak256(rlp("")): the root of an empty withdrawals trie.
    bytes32 internal constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;
    /// @notice sha256 of nothing: EIP-7685's commitment to an empty list of requests.
    bytes32 internal constant EMPTY_REQUESTS_HASH = 0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;

    /// @dev Sizes and field indices of the header's RLP list.
    uint256 private constant LOGS_BLOOM_BYTES = 256;
    uint256 private constant NONCE_BYTES = 8;
    uint256 private constant UINT64_BYTES = 8;
    uint256 private constant UINT256_BYTES = 32;

    /// @notice Decodes a header's RLP list (exactly the fork's 21 fields, each of its size).
    /// @param item The header's RLP item.
    /// @param what "parent header" or "block header", for errors.
    /// @return h The fields.
    function decode(RlpItem memory item, string memory what) internal pure returns (L2Header memory h) {
        RlpItem[] memory f = Rlp.items(item, what);
        if (f.length != HEADER_FIELDS) {
            revert Execute.ExecuteInvalid(
                Rlp.MALFORMED_INPUT,
                string.concat(what, " has ", decimal(f.length), " fields, the fork's header has ", decimal(HEADER_FIELDS))
            );
        }
        h.hash = Rlp.hash(item);
        h.parentHash = Rlp.toWord(f[0], "parentHash");
        h.ommersHash = Rlp.toWord(f[1], "ommersHash");
        h.coinbase = Rlp.toAddress(f[2], "coinbase");
        h.stateRoot = Rlp.toWord(f[3], "stateRoot");
        h.transactionsRoot = Rlp.toWord(f[4], "transactionsRoot");
        h.receiptsRoot = Rlp.toWord(f[5], "receiptsRoot");
        (, uint256 bloomLength) = Rlp.payload(f[6], "logsBloom");
        if (bloomLength != LOGS_BLOOM_BYTES) revert Execute.ExecuteInvalid(Rlp.MALFORMED_INPUT, "logsBloom is not 256 bytes");
        h.difficulty = Rlp.toUint(f[7], UINT256_BYTES, "difficulty");
        h.number = uint64(Rlp.toUint(f[8], UINT64_BYTES, "number"));
        h.gasLimit = uint64(Rlp.toUint(f[9], UINT64_BYTES, "gasLimit"));
        h.gasUsed = uint64(Rlp.toUint(f[10], UINT64_BYTES, "gasUsed"));
        h.timestamp = uint64(Rlp.toUint(f[11], UINT64_BYTES, "timestamp"));
        (, h.extraDataLength) = Rlp.payload(f[12], "extraData");
        Rlp.toWord(f[13], "mixHash");
        (uint256 noncePtr, uint256 nonceLength) = Rlp.payload(f[14], "nonce");
        if (nonceLength != NONCE_BYTES) revert Execute.ExecuteInvalid(Rlp.MALFORMED_INPUT, "nonce is not 8 bytes");
        bytes8 nonce;
        assembly ("memory-safe") {
            nonce := mload(noncePtr)
        }
        h.nonce = nonce;
        h.baseFeePerGas = Rlp.toUint(f[15], UINT256_BYTES, "baseFeePerGas");
        h.withdrawalsRoot = Rlp.toWord(f[16], "withdrawalsRoot");
        h.blobGasUsed = uint64(Rlp.toUint(f[17], UINT64_BYTES, "blobGasUsed"));
        h.excessBlobGas = uint64(Rlp.toUint(f[18], UINT64_BYTES, "excessBlobGas"));
        h.parentBeaconBlockRoot = Rlp.toWord(f[19], "parentBeaconBlockRoot");
        h.requestsHash = Rlp.toWord(f[20], "requestsHash");
    }

    /// @notice The header follows its parent: number, parent hash, timestamp, gas limit, base fee
    /// (headerRules.ts `checkHeaderAgainstParent`, in its order).
    /// @param h The block's header.
    /// @param parent The parent's header.
    function checkAgainstParent(L2Header memory h, L2Header memory parent) internal pure {
        if (h.number != uint256(parent.number) + 1) {
            _fail(PARENT_MISMATCH, string.concat("block number ", decimal(h.number), " does not follow parent number ", decimal(parent.number)));
        }
        if (h.parentHash != parent.hash) _fail(PARENT_MISMATCH, "parentHash is not the hash of the parent header");
        if (h.timestamp <= parent.timestamp) {
            _fail(INVALID_TIMESTAMP, string.concat("timestamp ", decimal(h.timestamp), " is not above the parent's ", decimal(parent.timestamp)));
        }
        uint256 bound = parent.gasLimit / GAS_LIMIT_BOUND_DIVISOR;
        uint256 delta = h.gasLimit > parent.gasLimit ? h.gasLimit - parent.gasLimit : parent.gasLimit - h.gasLimit;
        if (delta >= bound || h.gasLimit < MIN_GAS_LIMIT) {
            _fail(
                INVALID_GAS_LIMIT,
                string.concat("gas limit ", decimal(h.gasLimit), " is outside the bounds allowed by the parent's ", decimal(parent.gasLimit))
            );
        }
        uint256 expected = nextBaseFee(parent.gasLimit, parent.gasUsed, parent.baseFeePerGas);
        if (h.baseFeePerGas != expected) {
            _fail(
                INVALID_BASE_FEE,
                string.concat("base fee ", decimal(h.baseFeePerGas), " differs from ", decimal(expected), " computed from the parent")
            );
        }
    }

    /// @notice The fields a post-merge fork fixes and what a native L2 block may not carry
    /// (headerRules.ts `checkHeaderFields`, then the header part of `checkBlockContent`).
    /// @param h The block's header.
    function checkFields(L2Header memory h) internal pure {
        if (h.gasUsed > h.gasLimit) {
            _fail(INVALID_HEADER, string.concat("gasUsed ", decimal(h.gasUsed), " exceeds gasLimit ", decimal(h.gasLimit)));
        }
        if (h.difficulty != 0) _fail(INVALID_HEADER, "difficulty must be zero after the merge");
        if (h.nonce != bytes8(0)) _fail(INVALID_HEADER, "nonce must be zero after the merge");
        if (h.ommersHash != EMPTY_OMMERS_HASH) _fail(INVALID_HEADER, "ommers hash must be that of an empty list");
        if (h.extraDataLength > MAX_EXTRA_DATA_BYTES) {
            _fail(INVALID_HEADER, string.concat("extraData of ", decimal(h.extraDataLength), " bytes exceeds 32"));
        }
    }

    /// @notice The header's part of `checkBlockContent`: no blob gas, no withdrawals, no requests.
    /// @param h The block's header.
    function checkContent(L2Header memory h) internal pure {
        if (h.blobGasUsed != 0 || h.excessBlobGas != 0) {
            _fail(UNSUPPORTED_CONTENT, "blob gas used and excess blob gas must be zero on a native L2");
        }
        if (h.withdrawalsRoot != EMPTY_TRIE_ROOT) _fail(UNSUPPORTED_CONTENT, "a native L2 block has no withdrawals");
        if (h.requestsHash != EMPTY_REQUESTS_HASH) _fail(UNSUPPORTED_CONTENT, "a native L2 block has no execution requests");
    }

    /// @notice EIP-1559's base fee of the block after a parent with these values (as
    /// `BlockHeader.calcNextBaseFee` of EthereumJS computes it).
    /// @param gasLimit The parent's gas limit.
    /// @param gasUsed The parent's gas used.
    /// @param baseFee The parent's base fee.
    /// @return The next base fee.
    function nextBaseFee(uint256 gasLimit, uint256 gasUsed, uint256 baseFee) internal pure returns (uint256) {
        uint256 target = gasLimit / ELASTICITY_MULTIPLIER;
        if (gasUsed == target) return baseFee;
        if (gasUsed > target) {
            uint256 increase = baseFee * (gasUsed - target) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
            return baseFee + (increase > 1 ? increase : 1);
        }
        uint256 decrease = baseFee * (target - gasUsed) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
        return baseFee > decrease ? baseFee - decrease : 0;
    }

    /// @notice `value` in decimal, for failure reasons.
    /// @param value The number.
    /// @return The digits.
    function decimal(uint256 value) internal pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) ++digits;
        bytes memory out = new bytes(digits);
        for (uint256 v = value; v != 0; v /= 10) out[--digits] = bytes1(uint8(48 + v % 10));
        return string(out);
    }

    function _fail(uint8 code, string memory reason) private pure {
        revert Execute.ExecuteInvalid(code, reason);
    }
}
