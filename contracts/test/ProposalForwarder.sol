// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The part of OptimisticRollup a forwarder calls.
interface IProposer {
    function propose(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        uint256 consumedMessages
    ) external payable returns (uint64);
}

/// @title ProposalForwarder
/// @notice Test contract: proposes through a contract call, so the proposal is not in any
/// transaction's own calldata (a challenger must find it in the rollup's `ProposalData` event).
contract ProposalForwarder {
    /// @notice The rollup proposals are forwarded to.
    IProposer public immutable ROLLUP;

    /// @param rollup The OptimisticRollup.
    constructor(IProposer rollup) {
        ROLLUP = rollup;
    }

    /// @notice Proposes `block_` with `witness` as this contract, with the ETH sent as the bond.
    /// @param parentHeader RLP of the parent's header.
    /// @param block_ The L2 block's RLP.
    /// @param witness The committed witness.
    /// @param consumedMessages Queued messages the block consumes.
    /// @return number The proposed block's number.
    function forward(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        uint256 consumedMessages
    ) external payable returns (uint64 number) {
        number = ROLLUP.propose{value: msg.value}(parentHeader, block_, witness, consumedMessages);
    }
}
