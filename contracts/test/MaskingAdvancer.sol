// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The parts of NativeRollup and OptimisticRollup this contract calls.
interface IMaskedRollup {
    function advance(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        bytes calldata proofs,
        uint256 consumedMessages
    ) external;

    function propose(bytes calldata parentHeader, bytes calldata block_, bytes calldata witness, uint256 consumedMessages)
        external
        payable
        returns (uint64);
}

/// @title MaskingAdvancer
/// @notice Test contract (attack review C2): advances or proposes a block whose bytes appear in no
/// calldata. It receives the block XOR-masked with a one-byte key and unmasks it in memory before
/// calling the rollup, as a contract that decompresses its input would: the accepted block's RLP
/// exists only inside the call, so a follower that looks for it in the transaction's calldata
/// finds nothing. The rollup must publish it (docs/design/derivability.md).
contract MaskingAdvancer {
    /// @param maskedBlock The block's RLP with every byte XORed with `mask`.
    /// @param mask The key.
    /// @return block_ The block's RLP.
    function unmask(bytes calldata maskedBlock, bytes1 mask) public pure returns (bytes memory block_) {
        block_ = new bytes(maskedBlock.length);
        for (uint256 i; i < maskedBlock.length; ++i) {
            block_[i] = maskedBlock[i] ^ mask;
        }
    }

    /// @notice Calls `rollup.advance` with the unmasked block (the other arguments as given).
    function advanceMasked(
        IMaskedRollup rollup,
        bytes calldata parentHeader,
        bytes calldata maskedBlock,
        bytes1 mask,
        bytes calldata witness,
        bytes calldata proofs,
        uint256 consumedMessages
    ) external {
        rollup.advance(parentHeader, unmask(maskedBlock, mask), witness, proofs, consumedMessages);
    }

    /// @notice Calls `rollup.propose` with the unmasked block, the ETH sent as the bond.
    function proposeMasked(
        IMaskedRollup rollup,
        bytes calldata parentHeader,
        bytes calldata maskedBlock,
        bytes1 mask,
        bytes calldata witness,
        uint256 consumedMessages
    ) external payable returns (uint64) {
        return rollup.propose{value: msg.value}(parentHeader, unmask(maskedBlock, mask), witness, consumedMessages);
    }
}
