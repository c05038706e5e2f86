// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A message's calldata exceeds the rollup's `MAX_MESSAGE_DATA_SIZE` (`MESSAGE_DATA_SIZE_LIMIT`).
/// @dev Declared once for both directions: NativeRollup (L1 → L2) and L2Bridge (L2 → L1) raise it.
/// @param size The calldata's size in bytes.
/// @param maxSize The limit.
error MessageDataTooLarge(uint256 size, uint256 maxSize);
