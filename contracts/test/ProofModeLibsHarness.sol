// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2HeaderRules} from "../verifiers/L2HeaderRules.sol";
import {OrderedTrie} from "../verifiers/OrderedTrie.sol";

/// @title ProofModeLibsHarness
/// @notice Exposes the libraries of ProofModeExecute to tests that compare them with EthereumJS.
contract ProofModeLibsHarness {
    /// @notice OrderedTrie.root.
    /// @param values The values under keys rlp(0), rlp(1), …
    /// @return The root.
    function orderedRoot(bytes[] memory values) external pure returns (bytes32) {
        return OrderedTrie.root(values);
    }

    /// @notice L2HeaderRules.MAX_VERIFIABLE_L2_GAS_LIMIT, to compare with precompiles/gas.ts.
    /// @return The bound.
    function maxVerifiableL2GasLimit() external pure returns (uint256) {
        return L2HeaderRules.MAX_VERIFIABLE_L2_GAS_LIMIT;
    }

    /// @notice L2HeaderRules.nextBaseFee.
    /// @param gasLimit The parent's gas limit.
    /// @param gasUsed The parent's gas used.
    /// @param baseFee The parent's base fee.
    /// @return The next base fee.
    function nextBaseFee(uint256 gasLimit, uint256 gasUsed, uint256 baseFee) external pure returns (uint256) {
        return L2HeaderRules.nextBaseFee(gasLimit, gasUsed, baseFee);
    }
}
