// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NativeRollup} from "../rollup/NativeRollup.sol";

/// @title ExampleRollup
/// @notice A native rollup with the default policy: a permissioned sequencer, anyone may advance
/// after the sequencer's inactivity period, and overdue L1 messages must be consumed.
contract ExampleRollup is NativeRollup {
    /// @param l2ChainId The L2 chain id.
    /// @param genesisBlockHash Hash of the L2 genesis block.
    /// @param genesisStateRoot State root of the L2 genesis block.
    /// @param sequencer The permissioned sequencer.
    /// @param config Sequencing and censorship-resistance parameters.
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config
    ) NativeRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config) {}
}
