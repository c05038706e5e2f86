// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RollupConstants
/// @notice Addresses and storage slots that the L1 rollup contract and the L2 predeploys must
/// agree on. Defined once here and imported by both sides.

/// @dev The L2Bridge predeploy: placed in every L2 genesis with its runtime code and a pre-minted
/// ETH balance ("NAT" in ASCII, then 1).
address constant L2_BRIDGE_ADDRESS = 0x4e41540000000000000000000000000000000001;

/// @dev The EIP-4788 beacon roots contract. On L2 it stores each block's `parentBeaconBlockRoot`,
/// which a native rollup uses as the Merkle root of the L1 messages the block consumes.
address constant BEACON_ROOTS_ADDRESS = 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02;

/// @dev Storage slot of L2Bridge's `mapping(bytes32 messageHash => bool sent)`:
/// `uint256(keccak256("native-rollup.L2Bridge.sentMessages")) - 1`. The entry of a message lives
/// at `keccak256(abi.encode(messageHash, SENT_MESSAGES_SLOT))` and holds 1 once the message is sent.
uint256 constant SENT_MESSAGES_SLOT = 0x5df3ce2b604a8eb1a47a38ed987ba648589c3b3f81bc93bb4609d0c6a9742a1d;

/// @dev Largest calldata of a cross-domain message in either direction (bytes): the rollup's and
/// L2Bridge's `MAX_MESSAGE_DATA_SIZE`.
uint256 constant MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;

/// @dev What `l1Sender()` / `l2Sender()` return outside of a cross-domain call.
address constant DEFAULT_CROSS_DOMAIN_SENDER = 0x000000000000000000000000000000000000dEaD;
