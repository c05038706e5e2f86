// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOptimisticRollup
/// @notice What an optimistic rollup adds to `INativeRollup`: blocks are proposed with a bond,
/// stay provisional through a challenge window in which anyone may prove one invalid with
/// EXECUTE (or valid with proofs), and are finalized after it. `OptimisticRollup` implements both
/// interfaces; the events and errors of the optimistic path are declared here.
interface IOptimisticRollup {
    /// @notice A block joined the provisional chain.
    /// @param number The block number.
    /// @param blockHash The block hash.
    /// @param stateRoot The state root its header claims.
    /// @param messagesConsumed How many queued L1 messages it anchors.
    /// @param finalizableAt L1 timestamp at which its challenge window closes.
    /// @param proposer The L1 account that posted it and its bond.
    event BlockProposed(
        uint64 indexed number,
        bytes32 indexed blockHash,
        bytes32 stateRoot,
        uint256 messagesConsumed,
        uint256 finalizableAt,
        address indexed proposer
    );

    /// @notice The bytes a proposal committed to — the input of a challenge —, for challengers:
    /// emitted by the rollup itself, so they are found whether an account or a contract called `propose`.
    /// @param number The block number.
    /// @param blockHash The block hash.
    /// @param parentHeader RLP of the parent's header (its keccak256 is the block's parent hash).
    /// @param block_ The block's RLP as posted (`dataHash` is its keccak256).
    /// @param witness The committed witness (`witnessHash` is its keccak256).
    event ProposalData(uint64 indexed number, bytes32 indexed blockHash, bytes parentHeader, bytes block_, bytes witness);

    /// @notice EXECUTE verified a provisional block: it can no longer be challenged.
    /// @param number The block number.
    /// @param blockHash The block hash.
    /// @param prover Who submitted the proofs or witness.
    event BlockProven(uint64 indexed number, bytes32 indexed blockHash, address indexed prover);

    /// @notice A provisional block became final: it is the new head.
    /// @param number The block number.
    /// @param blockHash The block hash.
    /// @param stateRoot Its state root, now in `stateRootOf`.
    /// @param proven True if finalized on a proof, false at the end of its challenge window.
    /// @param proposer Its proposer, credited with the bond.
    event BlockFinalized(
        uint64 indexed number, bytes32 indexed blockHash, bytes32 stateRoot, bool proven, address indexed proposer
    );

    /// @notice A challenge succeeded: blocks `number` to `number + removed - 1` left the provisional chain.
    /// @param number The challenged block.
    /// @param blockHash Its hash.
    /// @param challenger Who challenged it, paid `reward`.
    /// @param code EXECUTE's reason code (>= 64).
    /// @param reason EXECUTE's explanation.
    /// @param removed How many provisional blocks were removed.
    /// @param reward Wei paid to the challenger (the removed blocks' bonds).
    event BlockChallenged(
        uint64 indexed number,
        bytes32 indexed blockHash,
        address indexed challenger,
        uint8 code,
        string reason,
        uint64 removed,
        uint256 reward
    );

    /// @notice An account withdrew its returned bonds.
    /// @param account The account.
    /// @param amount Wei paid.
    event BondsWithdrawn(address indexed account, uint256 amount);

    /// @notice The window is zero or the bond is zero.
    error InvalidOptimisticConfig(uint64 challengeWindow, uint256 proposalBond);

    /// @notice A proposal did not send exactly `PROPOSAL_BOND`.
    error IncorrectBond(uint256 sent, uint256 required);

    /// @notice The proposed block's parent is not the tip of the provisional chain.
    error ParentNotTip(bytes32 parentHash, bytes32 tipHash);

    /// @notice The proposed block's number does not follow the tip's.
    error UnexpectedBlockNumber(uint64 number, uint64 expected);

    /// @notice No provisional block has this number.
    error NotProvisional(uint64 number);

    /// @notice `parentHeader` is not the header of the block's parent.
    error ParentHeaderMismatch(bytes32 parentHash, bytes32 expected);

    /// @notice The block is not the one posted (its RLP hashes differently).
    error BlockDataMismatch(bytes32 dataHash, bytes32 posted);

    /// @notice The challenge window of the block has closed.
    error ChallengeWindowClosed(uint64 number, uint256 closedAt);

    /// @notice The block is neither proven nor past its challenge window.
    error ChallengeWindowOpen(uint64 number, uint256 finalizableAt);

    /// @notice The block is already proven.
    error AlreadyProven(uint64 number);

    /// @notice EXECUTE did not find the block invalid: it accepted it (code 0, see `reason`) or
    /// could not check it for a reason that is not the proposer's (e.g. 2 OutOfGas, 3
    /// BudgetExhausted). Nothing changed.
    error ChallengeFailed(uint8 code, string reason);

    /// @notice The proposal posts more than `MAX_PROPOSAL_BYTES` (parent header, block and witness): a
    /// challenge of it might not fit one L1 transaction.
    error ProposalTooLarge(uint256 size, uint256 max);

    /// @notice A challenge of this proposal could need more gas than one L1 transaction may carry,
    /// or than this L1's blocks hold: its committed bytes and its header's gas limit (which bounds
    /// the L2 gas EXECUTE charges) together price it above `cap`, so it could never be shown invalid.
    /// @param challengeGas `challengeGasBound(committed bytes, header gas limit)`.
    /// @param cap `challengeGasCap()` in the proposal's L1 block: `L1_TX_GAS_CAP`, or the L1's block
    /// gas limit less a 32nd when that is lower.
    error ProposalNotChallengeable(uint256 challengeGas, uint256 cap);

    /// @notice The proposal's header has another gas limit than its parent's. In optimistic mode
    /// the L2 gas limit is fixed at the genesis block's: a proposer who could move it (by almost a
    /// 1024th per block) could walk it up until no block carrying an overdue L1 message fits
    /// `challengeGasCap()`, halting the rollup for good (docs/design/challenge-gas-cap.md).
    /// @param parentGasLimit The gas limit of the parent's header (the provisional tip's).
    /// @param gasLimit The gas limit the proposal's header claims.
    error GasLimitChanged(uint256 parentGasLimit, uint256 gasLimit);

    /// @notice The proposal would put more L2 check gas in the proposal bucket than its capacity:
    /// proposals may add at most `PROPOSAL_GAS_PER_SECOND` per second of L1 time, in bursts of at
    /// most `PROPOSAL_GAS_BURST`, so that the stated challenger re-executes every proposal within
    /// its window (docs/design/challenger-capacity.md). Retry at `availableAt`.
    /// @param charged The block's check gas: with U = min(gasUsed, gasLimit), U + U / 4 (EIP-3529
    /// refunds) + its largest transaction gas limit, that last term at most gasLimit - U.
    /// @param level Check gas in the bucket now (after draining).
    /// @param capacity `PROPOSAL_GAS_BURST`.
    /// @param availableAt The first L1 timestamp at which this proposal fits.
    error ProposalGasRateExceeded(uint256 charged, uint256 level, uint256 capacity, uint256 availableAt);

    /// @notice The proposal gas rate is zero or the burst is below `MIN_PROPOSAL_GAS_BURST`, 5/4 of
    /// `L1_TX_GAS_CAP` (a block that could be proposed would never fit the bucket).
    error InvalidProposalGasRate(uint256 proposalGasPerSecond, uint256 proposalGasBurst, uint256 minBurst);

    /// @notice A challenge must use the witness the proposer committed to.
    error WitnessMismatch(bytes32 witnessHash, bytes32 committed);

    /// @notice EXECUTE verified another block than the provisional one.
    error ProvenBlockMismatch(bytes32 blockHash, bytes32 expected);

    /// @notice `advance` is refused while provisional blocks are pending; prove them instead.
    error ProvisionalBlocksPending(uint64 count);

    /// @notice The account has no bonds to withdraw.
    error NothingToWithdraw(address account);

    /// @notice Sending wei to `to` failed.
    error PayoutFailed(address to, uint256 amount);


    /// @notice Posts the next block of the provisional chain with `PROPOSAL_BOND`.
    /// @param parentHeader RLP of the provisional tip's header.
    /// @param block_ RLP of the L2 block; its header's gas limit must be its parent's (`GasLimitChanged`).
    /// @param witness Stateless witness of the block's pre-state.
    /// @param consumedMessages How many queued messages the block consumes after the provisional chain's.
    /// @return number The block's number.
    function propose(bytes calldata parentHeader, bytes calldata block_, bytes calldata witness, uint256 consumedMessages)
        external
        payable
        returns (uint64 number);

    /// @notice Removes provisional block `number` (and those after it) if EXECUTE rejects it for a
    /// fault of its proposer; pays the challenger from the bonds.
    /// @param executeGas Gas given to EXECUTE (at least what the block's verification needs).
    /// @return reward Wei credited to the challenger.
    function challenge(
        uint64 number,
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        uint256 executeGas
    ) external returns (uint256 reward);

    /// @notice Marks provisional block `number` valid with proofs, ending its challenge window early.
    function prove(uint64 number, bytes calldata parentHeader, bytes calldata block_, bytes calldata witness, bytes calldata proofs)
        external;

    /// @notice Accepts the provisional blocks up to `number` whose windows have closed (or that are proven).
    function finalize(uint64 number) external;

    /// @notice Pays out the caller's returned bonds and rewards.
    /// @return amount Wei paid.
    function withdrawBonds() external returns (uint256 amount);

    /// @notice Upper bound of a challenge transaction's L1 gas for a proposal of `committedBytes`
    /// and an L2 gas limit `l2Gas` (mirrored by rollup-node/bridge/challengeBound.ts).
    function challengeGasBound(uint256 committedBytes, uint256 l2Gas) external pure returns (uint256 gas);

    /// @notice The provisional tip (the head when no block is provisional).
    function tip() external view returns (uint64 number, bytes32 blockHash);

    /// @notice The first queued message the provisional chain has not consumed.
    function provisionalMessageIndex() external view returns (uint256);

    /// @notice L1 timestamp at which provisional block `number`'s challenge window closes.
    function finalizableAt(uint64 number) external view returns (uint256);

    /// @notice How many provisional blocks follow the head.
    function provisionalCount() external view returns (uint64);

    /// @notice Returned bonds `account` may withdraw.
    function bondCredit(address account) external view returns (uint256);

    /// @notice Seconds after its proposal during which a provisional block can be challenged.
    function CHALLENGE_WINDOW() external view returns (uint64);

    /// @notice Wei locked by every proposal.
    function PROPOSAL_BOND() external view returns (uint256);
}
