// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";
import {IProofVerification} from "../interfaces/IProofVerification.sol";
import {ExecutionProof, ProofPolicy} from "../rollup/ProofPolicy.sol";
import {Groth16Verifier, IExecutionProofVerifier} from "./Groth16Verifier.sol";
import {L2Header, L2HeaderRules} from "./L2HeaderRules.sol";
import {OrderedTrie} from "./OrderedTrie.sol";
import {Rlp, RlpItem} from "./Rlp.sol";

/// @title ProofModeExecute
/// @notice EXECUTE's proof mode in Solidity, for an L1 without the EXECUTE precompile: same input
/// (`abi.encode(uint64 chainId, bytes parentHeader, bytes block, bytes witness, bytes proofs)`),
/// same 352-byte output, same `ExecuteInvalid(code, reason)` failures, so a rollup deployed with
/// this contract as its executor calls it exactly as it would call the precompile
/// (`Execute.execute(executor, …)`). It checks what EXECUTE checks in proof mode, in its order
/// (precompiles/proofs/verifyProofs.ts; the table is in docs/design/proofs-without-execute.md):
/// the block's shape against its parent without executing it, the transactions root of the body,
/// then proofs under `threshold` distinct accepted keys of the block's commitment, verified by the
/// Groth16Verifier this contract deployed for each key.
/// @dev Re-execution is impossible without the precompile: empty proofs, or too few valid ones,
/// fail with ProofsInsufficient whatever the policy's `allowReexecution` says. The witness is
/// ignored, as EXECUTE ignores it when proofs suffice.
contract ProofModeExecute is IProofVerification {
    /// @notice EXECUTE's failure codes used here (precompiles/errors.ts).
    uint8 internal constant MALFORMED_INPUT = 1;
    uint8 internal constant PROOFS_INSUFFICIENT = 6;
    uint8 internal constant INVALID_HEADER = 68;
    uint8 internal constant UNSUPPORTED_CONTENT = 69;
    uint8 internal constant INVALID_TRANSACTIONS = 70;

    /// @notice The proof type both verifiers support: Groth16 over BN254.
    uint8 internal constant GROTH16_BN254 = 1;

    /// @notice BN254's scalar field: the commitment is reduced into it.
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice Largest L2 chain id EXECUTE accepts (2^53 - 1, precompiles/verifyBlock.ts `l2Common`).
    uint256 internal constant MAX_CHAIN_ID = 2 ** 53 - 1;

    /// @notice Items of a block's RLP list: header, transactions, ommers, withdrawals.
    uint256 internal constant BLOCK_ITEMS = 4;

    /// @notice Nesting of RLP lists checked in a block (a transaction's access list is 4 deep);
    /// a deeper body cannot hold valid transactions, so it is refused as InvalidTransactions too.
    uint256 internal constant MAX_RLP_DEPTH = 32;

    /// @dev EIP-2718 types a native L2 accepts (legacy transactions are RLP lists, not typed).
    uint8 private constant ACCESS_LIST_TX = 0x01;
    uint8 private constant FEE_MARKET_TX = 0x02;
    uint8 private constant BLOB_TX = 0x03;
    uint8 private constant SET_CODE_TX = 0x04;

    /// @notice The verifier of each accepted key, by the key's hash (zero for unknown keys).
    mapping(bytes32 keyHash => IExecutionProofVerifier) public verifierOf;

    /// @param verificationKeys Each accepted Groth16 key, ABI-encoded as the provers emit it
    /// (precompiles/proofs/codec.ts `encodeGroth16Key`): a Groth16Verifier is deployed for each,
    /// so the key a verifier checks is the one whose hash it is found under.
    constructor(bytes[] memory verificationKeys) {
        if (verificationKeys.length == 0) revert NoVerificationKeys();
        for (uint256 i; i < verificationKeys.length; ++i) {
            IExecutionProofVerifier verifier = new Groth16Verifier(verificationKeys[i]);
            bytes32 keyHash = verifier.KEY_HASH();
            if (address(verifierOf[keyHash]) != address(0)) revert DuplicateVerificationKey(keyHash);
            verifierOf[keyHash] = verifier;
            emit VerifierDeployed(keyHash, address(verifier));
        }
    }

    /// @notice EXECUTE's interface: raw ABI input in, the 352-byte result out.
    /// @param input `abi.encode(uint64 chainId, bytes parentHeader, bytes block, bytes witness, bytes proofs)`.
    /// @return The ABI-encoded ExecuteResult.
    fallback(bytes calldata input) external returns (bytes memory) {
        (uint64 chainId, bytes memory parentHeader, bytes memory block_,, bytes memory proofs) =
            abi.decode(input, (uint64, bytes, bytes, bytes, bytes));
        return abi.encode(verify(chainId, parentHeader, block_, proofs));
    }

    /// @notice Verifies `block_` on `parentHeader` by proofs alone, as EXECUTE's proof mode does.
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent header.
    /// @param block_ RLP of the block.
    /// @param proofs `abi.encode(ProofPolicy, ExecutionProof[])`.
    /// @return result What the header claims, now proven.
    function verify(uint64 chainId, bytes memory parentHeader, bytes memory block_, bytes memory proofs)
        public
        view
        returns (ExecuteResult memory result)
    {
        if (proofs.length == 0) {
            _fail(PROOFS_INSUFFICIENT, "no proofs: re-execution needs the EXECUTE precompile, which this L1 does not have");
        }
        (ProofPolicy memory policy, ExecutionProof[] memory supplied) = abi.decode(proofs, (ProofPolicy, ExecutionProof[]));
        if (policy.threshold < 1 || policy.threshold > policy.acceptedKeys.length) {
            _fail(MALFORMED_INPUT, "policy threshold must be between 1 and its accepted keys");
        }
        if (chainId == 0 || chainId > MAX_CHAIN_ID) _fail(MALFORMED_INPUT, "chain id is outside 1..2^53-1");

        L2Header memory header = checkBlockShape(parentHeader, block_);
        result = resultOf(header);
        uint256 commitment = commitmentOf(chainId, parentHeader, result);
        uint256 counted = countValidProofs(policy, supplied, commitment);
        if (counted < policy.threshold) {
            _fail(
                PROOFS_INSUFFICIENT,
                string.concat(
                    L2HeaderRules.decimal(counted), " of the ", L2HeaderRules.decimal(policy.threshold), " required proofs verified"
                )
            );
        }
    }

    /// @notice What EXECUTE checks before the proofs (verifyBlock.ts `checkBlockShape`), in its
    /// order: the block decodes as `[header, transactions, ommers, withdrawals]` (`decodeBlock`:
    /// the header's encoding and gas fields, then the body's shape, no ommers, no withdrawals, no
    /// blob transaction), its header follows the parent and keeps the fork's fixed fields, and its
    /// transactions are the ones the header's transactions root commits to.
    /// @dev Only bytes that are not an RLP list starting with a well-formed header list are
    /// MalformedInput: once a header exists, whatever is wrong with the rest makes the block
    /// invalid (>= 64), so a body that is not valid RLP is InvalidTransactions, as in EXECUTE.
    /// @param parentHeader RLP of the parent header.
    /// @param block_ RLP of the block.
    /// @return header The block's header.
    function checkBlockShape(bytes memory parentHeader, bytes memory block_) public pure returns (L2Header memory header) {
        L2Header memory parent = L2HeaderRules.decode(Rlp.toItem(parentHeader, "parent header"), "parent header", false);
        RlpItem[] memory parts = _blockParts(block_);
        header = L2HeaderRules.decode(parts[0], "block header", true);
        L2HeaderRules.checkGas(header);
        if (parts.length != BLOCK_ITEMS) {
            _fail(INVALID_HEADER, string.concat("block has ", L2HeaderRules.decimal(parts.length), " parts, not [header, transactions, ommers, withdrawals]"));
        }
        if (!Rlp.isList(parts[1])) _fail(INVALID_TRANSACTIONS, "the transactions of the block are not a list");
        if (!Rlp.isList(parts[2]) || Rlp.items(parts[2], "ommers").length != 0) _fail(INVALID_HEADER, "a post-merge block has no ommers");
        if (!Rlp.isList(parts[3]) || Rlp.items(parts[3], "withdrawals").length != 0) {
            _fail(UNSUPPORTED_CONTENT, "a native L2 block has no withdrawals");
        }
        bytes[] memory transactions = transactionEncodings(Rlp.items(parts[1], "transactions"));

        L2HeaderRules.checkAgainstParent(header, parent);
        L2HeaderRules.checkFields(header);
        L2HeaderRules.checkContent(header);
        if (OrderedTrie.root(transactions) != header.transactionsRoot) {
            _fail(INVALID_TRANSACTIONS, "transactions do not match the header's transactions root");
        }
    }

    /// @notice The items of the block's list, once its first item is a well-formed header list
    /// (MalformedInput otherwise) and the rest is valid RLP (InvalidTransactions otherwise).
    /// @param block_ RLP of the block.
    /// @return parts The block's items, header first.
    function _blockParts(bytes memory block_) private pure returns (RlpItem[] memory parts) {
        RlpItem memory top = Rlp.toItem(block_, "block");
        (uint256 ptr, uint256 length) = Rlp.listContents(top, "block");
        if (length == 0) _fail(MALFORMED_INPUT, "block must be the RLP list [header, transactions, ommers, withdrawals]");
        RlpItem memory headerItem = Rlp.itemAt(ptr, length, "block header");
        if (!Rlp.isList(headerItem) || !Rlp.wellFormed(headerItem.ptr, headerItem.length, MAX_RLP_DEPTH)) {
            _fail(MALFORMED_INPUT, "block must be the RLP list [header, transactions, ommers, withdrawals]");
        }
        if (!Rlp.wellFormed(ptr + headerItem.length, length - headerItem.length, MAX_RLP_DEPTH)) {
            _fail(INVALID_TRANSACTIONS, "the body of the block is not valid RLP");
        }
        parts = Rlp.items(top, "block");
    }

    /// @notice The encodings of a block's transactions, each checked to be of a type a native L2
    /// accepts: a legacy RLP list, or an EIP-2718 envelope of type 1, 2 or 4 around an RLP list
    /// (blob transactions, type 3, are refused).
    /// @param transactions The items of the block's transaction list.
    /// @return encoded What the transactions trie holds under keys rlp(0), rlp(1), …
    function transactionEncodings(RlpItem[] memory transactions) internal pure returns (bytes[] memory encoded) {
        encoded = new bytes[](transactions.length);
        for (uint256 i; i < transactions.length; ++i) {
            if (Rlp.isList(transactions[i])) {
                encoded[i] = Rlp.raw(transactions[i]);
                continue;
            }
            bytes memory envelope = Rlp.toBytes(transactions[i], "transaction");
            uint8 txType = envelope.length == 0 ? 0 : uint8(envelope[0]);
            if (txType == BLOB_TX) {
                _fail(UNSUPPORTED_CONTENT, string.concat("transaction ", L2HeaderRules.decimal(i), " is a blob transaction, which a native L2 does not accept"));
            }
            if (txType != ACCESS_LIST_TX && txType != FEE_MARKET_TX && txType != SET_CODE_TX) {
                _fail(INVALID_TRANSACTIONS, string.concat("transaction ", L2HeaderRules.decimal(i), " has no supported type"));
            }
            if (envelope.length < 2) {
                _fail(INVALID_TRANSACTIONS, string.concat("transaction ", L2HeaderRules.decimal(i), " is an empty typed envelope"));
            }
            uint256 bodyPtr;
            assembly ("memory-safe") {
                bodyPtr := add(envelope, 0x21)
            }
            // The payload is the transaction's own bytes: one that is not a single RLP list makes
            // the block invalid (EXECUTE fails building the transaction), not the input uncheckable.
            uint256 bodyLength = envelope.length - 1;
            if (
                !Rlp.wellFormed(bodyPtr, bodyLength, MAX_RLP_DEPTH) || Rlp.itemAt(bodyPtr, bodyLength, "typed transaction").length != bodyLength
                    || !Rlp.isList(RlpItem(bodyPtr, bodyLength))
            ) {
                _fail(INVALID_TRANSACTIONS, string.concat("transaction ", L2HeaderRules.decimal(i), " is not a typed RLP list"));
            }
            encoded[i] = envelope;
        }
    }

    /// @notice The EXECUTE result a header claims (verifyBlock.ts `resultOf`).
    /// @param h The header.
    /// @return r The result; `burnedFees` = base fee × gas used.
    function resultOf(L2Header memory h) internal pure returns (ExecuteResult memory r) {
        r.blockHash = h.hash;
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

    /// @notice The statement every proof of the block attests to, as a BN254 scalar:
    /// keccak256(abi.encode(uint64 chainId, bytes32 keccak256(parentHeader), bytes executeOutput)) mod r
    /// (precompiles/proofs/commitment.ts).
    /// @param chainId The L2 chain id.
    /// @param parentHeader RLP of the parent header.
    /// @param result The block's 352-byte output.
    /// @return The commitment.
    function commitmentOf(uint64 chainId, bytes memory parentHeader, ExecuteResult memory result)
        public
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(chainId, keccak256(parentHeader), abi.encode(result)))) % SCALAR_FIELD;
    }

    /// @notice How many distinct accepted keys have a proof of `commitment` that their verifier
    /// accepts (verifyProofs.ts `countValidProofs`): proofs under a key outside the policy or
    /// without a verifier, of another type, repeated keys and invalid proofs do not count.
    /// @param policy The rollup's policy.
    /// @param proofs The supplied proofs.
    /// @param commitment The block's commitment.
    /// @return counted The number of distinct keys that verified.
    function countValidProofs(ProofPolicy memory policy, ExecutionProof[] memory proofs, uint256 commitment)
        public
        view
        returns (uint256 counted)
    {
        bytes32[] memory keys = new bytes32[](proofs.length);
        for (uint256 i; i < proofs.length; ++i) {
            bytes32 keyHash = keccak256(proofs[i].verificationKey);
            if (proofs[i].proofType != GROTH16_BN254 || !_contains(policy.acceptedKeys, keyHash, policy.acceptedKeys.length)) continue;
            if (_contains(keys, keyHash, counted)) continue;
            IExecutionProofVerifier verifier = verifierOf[keyHash];
            if (address(verifier) == address(0)) continue;
            // A verifier that reverts (e.g. out of gas) counts as a proof that does not verify.
            try verifier.verify(proofs[i].proofData, commitment) returns (bool ok) {
                if (!ok) continue;
            } catch {
                continue;
            }
            keys[counted++] = keyHash;
        }
    }

    function _contains(bytes32[] memory list, bytes32 value, uint256 length) private pure returns (bool) {
        for (uint256 i; i < length; ++i) {
            if (list[i] == value) return true;
        }
        return false;
    }

    function _fail(uint8 code, string memory reason) private pure {
        revert Execute.ExecuteInvalid(code, reason);
    }
}
