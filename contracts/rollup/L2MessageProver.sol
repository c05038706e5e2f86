// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SecureMerkleTrie} from "@eth-optimism/contracts-bedrock/src/libraries/trie/SecureMerkleTrie.sol";
import {RLPReader} from "@eth-optimism/contracts-bedrock/src/libraries/rlp/RLPReader.sol";

import {L2_BRIDGE_ADDRESS, SENT_MESSAGES_SLOT} from "./RollupConstants.sol";

/// @title L2MessageProver
/// @notice Checks EIP-1186 proofs that L2Bridge recorded an L2 → L1 message in an L2 state.
/// @dev Stateless and pure. Each NativeRollup deploys its own in its constructor and calls it when
/// finalizing a message: the Merkle-Patricia proof code is then part of the rollup's initcode
/// (EIP-3860: 49,152 bytes) instead of its runtime code (EIP-170: 24,576 bytes), which an
/// optimistic rollup would otherwise exceed. Malformed proofs revert inside the MPT library, and
/// the rollup's call bubbles that revert unchanged.
contract L2MessageProver {
    /// @notice Index of the storage root in an RLP account `[nonce, balance, storageRoot, codeHash]`.
    uint256 private constant ACCOUNT_STORAGE_ROOT_INDEX = 2;

    /// @notice Number of fields of an RLP account.
    uint256 private constant ACCOUNT_FIELD_COUNT = 4;

    /// @notice Whether L2Bridge's sent-messages entry for `hash` is set in the L2 state `stateRoot`.
    /// @dev Proves L2Bridge's account against `stateRoot`, then its sent-messages entry for `hash`
    /// against the account's storage root.
    /// @param stateRoot An accepted L2 block's state root.
    /// @param hash The L2 → L1 message hash.
    /// @param accountProof EIP-1186 proof of the L2Bridge account against `stateRoot`.
    /// @param storageProof EIP-1186 proof of the message's sent-messages slot against the account's storage root.
    /// @return Whether the entry is set.
    function isSentOnL2(bytes32 stateRoot, bytes32 hash, bytes[] calldata accountProof, bytes[] calldata storageProof)
        external
        pure
        returns (bool)
    {
        bytes memory account = SecureMerkleTrie.get(abi.encodePacked(L2_BRIDGE_ADDRESS), accountProof, stateRoot);
        RLPReader.RLPItem[] memory fields = RLPReader.readList(account);
        if (fields.length != ACCOUNT_FIELD_COUNT) return false;
        bytes32 storageRoot = bytes32(RLPReader.readBytes(fields[ACCOUNT_STORAGE_ROOT_INDEX]));
        bytes32 slot = keccak256(abi.encode(hash, SENT_MESSAGES_SLOT));
        bytes memory value = SecureMerkleTrie.get(abi.encodePacked(slot), storageProof, storageRoot);
        // Storage tries hold RLP-encoded non-zero values: anything present is non-zero.
        return RLPReader.readBytes(value).length != 0;
    }
}
