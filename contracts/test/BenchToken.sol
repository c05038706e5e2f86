// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A minimal ERC-20 for benchmarks and tests: balances live in slot-0 mapping.
contract BenchToken {
    /// @notice Balance of each holder (storage slot 0, so tests can pre-fill it in a genesis).
    mapping(address => uint256) public balanceOf;

    /// @notice ERC-20 transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice The sender holds less than it tries to move.
    error InsufficientBalance(address holder, uint256 balance, uint256 needed);

    /// @notice Moves `value` tokens from the caller to `to`.
    /// @param to Recipient.
    /// @param value Amount.
    /// @return Always true, as ERC-20 requires.
    function transfer(address to, uint256 value) external returns (bool) {
        uint256 balance = balanceOf[msg.sender];
        if (balance < value) revert InsufficientBalance(msg.sender, balance, value);
        unchecked {
            balanceOf[msg.sender] = balance - value;
        }
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
