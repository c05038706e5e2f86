// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only contract for the devnet and RPC tests: events, custom errors, reverts, value.
contract Counter {
    uint256 public count;

    event Incremented(address indexed by, uint256 newCount);

    error TooLarge(uint256 requested, uint256 limit);

    function increment() external {
        count += 1;
        emit Incremented(msg.sender, count);
    }

    function add(uint256 amount) external {
        if (amount > 100) revert TooLarge(amount, 100);
        count += amount;
        emit Incremented(msg.sender, count);
    }

    function failWithReason() external pure {
        revert("counter says no");
    }

    function deposit() external payable {}

    function withdraw(address payable to, uint256 amount) external {
        to.transfer(amount);
    }

    function timestamp() external view returns (uint256) {
        return block.timestamp;
    }
}

/// @notice Makes nested calls, so call traces have children.
contract CounterCaller {
    function incrementTwice(Counter counter) external {
        counter.increment();
        counter.increment();
    }

    /// @dev Forwards `input` to the EXECUTE precompile at 0x…0101 and reports the outcome.
    function callExecute(bytes calldata input) external returns (bool ok, bytes memory output) {
        (ok, output) = address(0x0101).call(input);
    }
}
