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
    /// @notice EIP-1985: a gas limit is below 2^63.
    uint256 internal constant GAS_LIMIT_CAP = 2 ** 63;
    /// @notice The largest L2 gas limit EXECUTE may verify in one L1 block: precompiles/gas.ts
    /// `maxVerifiableL2GasLimit()` of the default schedule, (2^24 L1 tx gas cap − 100,000 base
    /// gas) / 1 L1 gas per L2 gas. A test compares the two so that they cannot drift apart.
    uint256 internal constant MAX_VERIFIABLE_L2_GAS_LIMIT = 16_677_216;

    /// @notice keccak256(rlp([])): the ommers hash of a block without ommers.
    bytes32 internal constant EMPTY_OMMERS_HASH = 0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347;
    /// @notice keccak256(rlp("")): the root of an empty withdrawals trie.
    bytes32 internal constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;
    /// @notice sha256 of nothing: EIP-7685's commitment to an empty list of requests.
    bytes32 internal constant EMPTY_REQUESTS_HASH = 0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;

    /// @dev Header fields that are integers (difficulty, number, gasLimit, gasUsed, timestamp,
    /// baseFeePerGas, blobGasUsed, excessBlobGas), as a bit mask over field indices.
    uint256 private constant INTEGER_FIELDS = (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 15) | (1 << 17) | (1 << 18);
    /// @dev Index of extraData, the one field of free width.
    uint256 private constant EXTRA_DATA_INDEX = 12;

    /// @dev Sizes and field indices of the header's RLP list.
    uint256 private constant LOGS_BLOOM_BYTES = 256;
    uint256 private constant NONCE_BYTES = 8;
    uint256 private constant UINT64_BYTES = 8;
    uint256 private constant UINT256_BYTES = 32;

    /// @notice Decodes a header's RLP list (exactly the fork's 21 fields, each of its size).
    /// @dev The block's own header (`isBlockHeader`) is first held to headerRules.ts
    /// `checkHeaderEncoding`: a header that breaks it cannot head a valid block, so it is
    /// InvalidHeader (>= 64), as in EXECUTE. The parent header is input the caller chose: a parent
    /// that does not decode is MalformedInput, as EXECUTE's `decodeHeader` reports it.
    /// @param item The header's RLP item.
    /// @param what "parent header" or "block header", for errors.
    /// @param isBlockHeader True for the block's header, false for its parent's.
    /// @return h The fields.
    function decode(RlpItem memory item, string memory what, bool isBlockHeader) internal pure returns (L2Header memory h) {
        RlpItem[] memory f = Rlp.items(item, what);
        if (f.length != HEADER_FIELDS) {
            revert Execute.ExecuteInvalid(
                isBlockHeader ? INVALID_HEADER : Rlp.MALFORMED_INPUT,
                string.concat(what, " has ", decimal(f.length), " fields, the fork's header has ", decimal(HEADER_FIELDS))
            );
        }
        if (isBlockHeader) checkEncoding(f);
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

    /// @notice Each field of the block's header is bytes, not a list, of its fixed width, and each
    /// integer is canonical (no leading zero) within its width (headerRules.ts `checkHeaderEncoding`),
    /// so that the header's hash is that of the values it states.
    /// @param f The header's 21 fields.
    function checkEncoding(RlpItem[] memory f) internal pure {
        for (uint256 i; i < HEADER_FIELDS; ++i) {
            if (Rlp.isList(f[i])) _fail(INVALID_HEADER, string.concat("header field ", _fieldName(i), " is a list, not bytes"));
            (uint256 ptr, uint256 length) = Rlp.payload(f[i], "block header field");
            if ((INTEGER_FIELDS >> i) & 1 == 1) {
                uint256 maxBytes = (i == 7 || i == 15) ? UINT256_BYTES : UINT64_BYTES;
                if (length > maxBytes || (length != 0 && _byteAt(ptr) == 0)) {
                    _fail(
                        INVALID_HEADER,
                        string.concat("header field ", _fieldName(i), " is not a canonical integer of at most ", decimal(maxBytes), " bytes")
                    );
                }
            } else if (i != EXTRA_DATA_INDEX && length != _fixedWidth(i)) {
                _fail(
                    INVALID_HEADER,
                    string.concat("header field ", _fieldName(i), " has ", decimal(length), " bytes, not ", decimal(_fixedWidth(i)))
                );
            }
        }
    }

    /// @notice The gas fields' own rules (headerRules.ts `checkGasFields`): the gas limit below
    /// 2^63 (EIP-1985) and within what EXECUTE may verify in one L1 block, gasUsed within it.
    /// @param h The block's header.
    function checkGas(L2Header memory h) internal pure {
        if (h.gasLimit >= GAS_LIMIT_CAP) {
            _fail(INVALID_GAS_LIMIT, string.concat("gas limit ", decimal(h.gasLimit), " is not below 2^63 (EIP-1985)"));
        }
        if (h.gasLimit > MAX_VERIFIABLE_L2_GAS_LIMIT) {
            _fail(
                INVALID_GAS_LIMIT,
                string.concat(
                    "gas limit ", decimal(h.gasLimit), " exceeds ", decimal(MAX_VERIFIABLE_L2_GAS_LIMIT), ", the most EXECUTE may verify in one L1 block"
                )
            );
        }
        if (h.gasUsed > h.gasLimit) {
            _fail(INVALID_HEADER, string.concat("gasUsed ", decimal(h.gasUsed), " exceeds gasLimit ", decimal(h.gasLimit)));
        }
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

    /// @dev Width in bytes of the fixed-width field at `index` (hashes, roots, coinbase, bloom, nonce).
    function _fixedWidth(uint256 index) private pure returns (uint256) {
        if (index == 2) return 20;
        if (index == 6) return LOGS_BLOOM_BYTES;
        if (index == 14) return NONCE_BYTES;
        return 32;
    }

    /// @dev The name of the header field at `index`, for failure reasons (headerRules.ts HEADER_LAYOUT).
    function _fieldName(uint256 index) private pure returns (string memory) {
        string[21] memory names = [
            "parentHash", "ommersHash", "coinbase", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom",
            "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce",
            "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash"
        ];
        return names[index];
    }

    function _byteAt(uint256 ptr) private pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, mload(ptr))
        }
    }

    function _fail(uint8 code, string memory reason) private pure {
        revert Execute.ExecuteInvalid(code, reason);
    }
}
