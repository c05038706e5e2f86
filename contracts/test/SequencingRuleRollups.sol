// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ExampleRollup} from "../examples/ExampleRollup.sol";
import {OptimisticExampleRollup} from "../examples/OptimisticExampleRollup.sol";
import {ProofPolicy} from "../rollup/ProofPolicy.sol";

/// @notice ExampleRollup with `rollup:init --sequencing based`'s hook: anyone may advance at any time
/// (the sequencing-rule check's test reads it on chain).
contract BasedTestRollup is ExampleRollup {
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config
    ) ExampleRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config) {}

    function _authorizeAdvance(address) internal pure override {}
}

/// @notice ExampleRollup with `rollup:init --sequencing permissioned`'s hook: only the sequencer, ever.
contract PermissionedTestRollup is ExampleRollup {
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config
    ) ExampleRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config) {}

    function _authorizeAdvance(address submitter) internal view override {
        if (submitter != SEQUENCER) revert NotSequencer(submitter, type(uint256).max);
    }
}

/// @notice OptimisticExampleRollup with `rollup:init --optimistic --sequencing permissioned`'s hook:
/// only the sequencer may propose or advance, ever (the independent challenger's e2e test: nobody
/// but the sequencer proposes, so only a watcher outside its node can challenge a forged proposal).
contract PermissionedOptimisticTestRollup is OptimisticExampleRollup {
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config,
        OptimisticConfig memory optimistic,
        ProofPolicy memory policy
    ) OptimisticExampleRollup(l2ChainId, genesisBlockHash, genesisStateRoot, sequencer, config, optimistic, policy) {}

    function _authorizeAdvance(address submitter) internal view override {
        if (submitter != SEQUENCER) revert NotSequencer(submitter, type(uint256).max);
    }
}
