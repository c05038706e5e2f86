// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";
import {BlockHeader, BlockHeaders} from "./BlockHeaders.sol";
import {NativeRollup} from "./NativeRollup.sol";

/// @title OptimisticRollup
/// @notice A native rollup that also accepts blocks provisionally, without a witness or proofs
/// (the ZK + optimistic hybrid of DESIGN §6). The sequencer `propose`s a block (its RLP in calldata)
/// with a bond; the block joins the provisional chain after the head and becomes final once
/// `CHALLENGE_WINDOW` has passed (`finalize`). Until then anyone may `challenge` it with a
/// witness: EXECUTE re-executes it, and only a "block invalid" verdict (code >= 64) wins, removing
/// the block and every provisional block after it and paying the challenger their bonds.
/// Proofs (or a re-execution) that arrive later `prove` a provisional block, which then
/// finalizes as soon as its parent is final, without waiting for the window.
/// @dev Rules:
/// - Order: blocks finalize in order; only final blocks have a `stateRootOf` (so L2 → L1 messages
///   are proven against final state only) and move `headHash`, `headNumber`, `nextMessageIndex`.
/// - Proposal checks (no EXECUTE): the block's parent is the tip of the provisional chain, its
///   number follows, its anchor is the root of the messages it consumes after those the
///   provisional chain already consumed, no overdue message is skipped, its timestamp is not
///   ahead of the L1's, and `_validateBlock` accepts its header's claims.
/// - Window: a block can be challenged while `block.timestamp < proposedAt + CHALLENGE_WINDOW` and
///   finalized from then on. A proven block cannot be challenged.
/// - Bond: every proposal locks exactly `PROPOSAL_BOND`. On finalization it is credited to the
///   proposer (`withdrawBonds`: pulled, so a proposer that rejects ETH cannot block finalization).
///   On a successful challenge the bonds of all removed blocks go to the challenger at once;
///   their proposers get nothing back (a descendant of an invalid block is built on a false state).
/// - A challenger names the gas EXECUTE gets (`executeGas`): a failed EXECUTE consumes all the gas
///   passed to it, so a winning challenge costs that much, not the whole transaction's gas. Too
///   little gas makes EXECUTE report OutOfGas (code 2 < 64): the challenge fails, harmlessly.
/// - `advance` (a block verified at once) is refused while provisional blocks are pending.
abstract contract OptimisticRollup is NativeRollup {
    /// @notice Parameters of the optimistic path.
    /// @param challengeWindow Seconds during which a provisional block can be challenged.
    /// @param proposalBond Wei every proposal must lock.
    struct OptimisticConfig {
        uint64 challengeWindow;
        uint256 proposalBond;
    }

    /// @notice A block of the provisional chain.
    /// @param blockHash keccak256 of its header's RLP.
    /// @param dataHash keccak256 of the block's RLP as posted (binds challenges and proofs to the
    /// posted transactions, not just the header).
    /// @param stateRoot The state root its header claims.
    /// @param messagesEnd Index of the first queued message left unconsumed after it.
    /// @param proposer Who posted it (and its bond).
    /// @param proposedAt L1 timestamp of the proposal.
    /// @param proven Whether EXECUTE has verified it (with proofs or by re-execution).
    struct ProvisionalBlock {
        bytes32 blockHash;
        bytes32 dataHash;
        bytes32 stateRoot;
        uint256 messagesEnd;
        address proposer;
        uint64 proposedAt;
        bool proven;
    }

    /// @notice Seconds after its proposal during which a provisional block can be challenged.
    uint64 public immutable CHALLENGE_WINDOW;

    /// @notice Wei locked by every proposal.
    uint256 public immutable PROPOSAL_BOND;

    /// @notice How many provisional blocks follow the head (the tip is `headNumber + provisionalCount`).
    uint64 public provisionalCount;

    /// @notice Returned bonds each account may withdraw.
    mapping(address account => uint256) public bondCredit;

    /// @dev Provisional blocks by number; only `headNumber + 1 .. tip` are meaningful (entries past
    /// the tip are stale leftovers of a challenge, overwritten by the next proposals).
    mapping(uint64 number => ProvisionalBlock) private _provisional;

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
    /// could not check it (code < 64, e.g. 5 WitnessIncomplete). Nothing changed.
    error ChallengeFailed(uint8 code, string reason);

    /// @notice EXECUTE verified another block than the provisional one.
    error ProvenBlockMismatch(bytes32 blockHash, bytes32 expected);

    /// @notice `advance` is refused while provisional blocks are pending; prove them instead.
    error ProvisionalBlocksPending(uint64 count);

    /// @notice The account has no bonds to withdraw.
    error NothingToWithdraw(address account);

    /// @notice Sending wei to `to` failed.
    error PayoutFailed(address to, uint256 amount);

    /// @param optimistic Challenge window and proposal bond (both non-zero).
    constructor(OptimisticConfig memory optimistic) {
        if (optimistic.challengeWindow == 0 || optimistic.proposalBond == 0) {
            revert InvalidOptimisticConfig(optimistic.challengeWindow, optimistic.proposalBond);
        }
        CHALLENGE_WINDOW = optimistic.challengeWindow;
        PROPOSAL_BOND = optimistic.proposalBond;
    }

    // ---------------------------------------------------------------------------------------------
    // Provisional chain
    // ---------------------------------------------------------------------------------------------

    /// @notice Posts the next L2 block without verifying it, with `PROPOSAL_BOND` wei; it becomes
    /// final after `CHALLENGE_WINDOW` unless a challenge shows it invalid. Same authorization as
    /// `advance` (the sequencer, or anyone once it is inactive), and the same message rules,
    /// checked against the header's claims.
    /// @param block_ RLP of the L2 block; its parent must be the tip of the provisional chain.
    /// @param consumedMessages How many queued messages the block consumes, after those consumed
    /// by the provisional chain; its `parentBeaconBlockRoot` must be their MessageTree root.
    /// @return number The block's number.
    function propose(bytes calldata block_, uint256 consumedMessages) external payable returns (uint64 number) {
        _authorizeAdvance(msg.sender);
        if (msg.value != PROPOSAL_BOND) revert IncorrectBond(msg.value, PROPOSAL_BOND);
        BlockHeader memory h = BlockHeaders.decode(block_);
        (uint64 tipNumber, bytes32 tipHash, uint256 first) = _tip();
        if (h.parentHash != tipHash) revert ParentNotTip(h.parentHash, tipHash);
        number = tipNumber + 1;
        if (h.number != number) revert UnexpectedBlockNumber(h.number, number);
        uint256 next = _checkSequencing(first, consumedMessages, h.parentBeaconBlockRoot, h.timestamp);
        _checkRelays(block_, first, consumedMessages, h.parentBeaconBlockRoot, h.timestamp);
        _validateBlock(BlockHeaders.toExecuteResult(h));

        _provisional[number] = ProvisionalBlock({
            blockHash: h.blockHash,
            dataHash: keccak256(block_),
            stateRoot: h.stateRoot,
            messagesEnd: next,
            proposer: msg.sender,
            proposedAt: uint64(block.timestamp),
            proven: false
        });
        ++provisionalCount;
        lastAdvanceTimestamp = uint64(block.timestamp);
        emit BlockProposed(
            number, h.blockHash, h.stateRoot, consumedMessages, block.timestamp + CHALLENGE_WINDOW, msg.sender
        );
    }

    /// @notice Challenges a provisional block within its window by re-executing it with EXECUTE.
    /// If EXECUTE finds the block invalid (code >= 64), the block and every provisional block after
    /// it are removed and their bonds are paid to the caller. Otherwise the call reverts with
    /// `ChallengeFailed` and nothing changes: a valid block, an incomplete witness or too little
    /// gas never harm the block.
    /// @param number The challenged block.
    /// @param parentHeader RLP of its parent's header (the head or a provisional block).
    /// @param block_ The block's RLP exactly as posted.
    /// @param witness Stateless witness of the block's pre-state.
    /// @param executeGas Gas to pass to EXECUTE: at least its cost for this input (by default
    /// 100,000 + 16 per byte of `abi.encode(chainId, parentHeader, block_, witness, "")`, see
    /// `executeGasCost` in precompiles/gas.ts). A failed EXECUTE consumes all of it.
    /// @return reward Wei paid to the caller.
    function challenge(
        uint64 number,
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        uint256 executeGas
    ) external returns (uint256 reward) {
        ProvisionalBlock storage b = _provisionalAt(number);
        if (b.proven) revert AlreadyProven(number);
        uint256 closedAt = uint256(b.proposedAt) + CHALLENGE_WINDOW;
        if (block.timestamp >= closedAt) revert ChallengeWindowClosed(number, closedAt);
        _checkPosted(number, b, parentHeader, block_);

        (bool ok,, uint8 code, string memory reason) =
            Execute.tryExecute(L2_CHAIN_ID, parentHeader, block_, witness, "", executeGas);
        if (ok) revert ChallengeFailed(Execute.CODE_UNAVAILABLE, "EXECUTE accepted the block");
        if (!Execute.isBlockInvalid(code)) revert ChallengeFailed(code, reason);
        reward = _removeFrom(number, b.blockHash, code, reason);
    }

    /// @notice Verifies a provisional block with EXECUTE under this rollup's proof policy (proofs,
    /// or re-execution from `witness`), so that it can no longer be challenged and finalizes as
    /// soon as its parent is final. If its parent is the head, it and every proven block after it
    /// finalize at once. Reverts with EXECUTE's `ExecuteInvalid` if the block is not verified.
    /// @param number The provisional block.
    /// @param parentHeader RLP of its parent's header.
    /// @param block_ The block's RLP exactly as posted.
    /// @param witness Stateless witness; may be empty when `proofs` suffice.
    /// @param proofs `abi.encode(ExecutionProof[])`; empty to re-execute from `witness`.
    function prove(
        uint64 number,
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        bytes calldata proofs
    ) external {
        ProvisionalBlock storage b = _provisionalAt(number);
        if (b.proven) revert AlreadyProven(number);
        _checkPosted(number, b, parentHeader, block_);
        ExecuteResult memory r = _execute(parentHeader, block_, witness, proofs);
        if (r.blockHash != b.blockHash) revert ProvenBlockMismatch(r.blockHash, b.blockHash);

        b.proven = true;
        emit BlockProven(number, b.blockHash, msg.sender);
        while (provisionalCount != 0 && _provisional[headNumber + 1].proven) _finalizeNext();
    }

    /// @notice Finalizes every provisional block up to `number`, in order; each must be proven or
    /// past its challenge window. Anyone may call.
    /// @param number The last block to finalize.
    function finalize(uint64 number) external {
        _provisionalAt(number);
        while (headNumber < number) {
            ProvisionalBlock storage b = _provisional[headNumber + 1];
            if (!b.proven) {
                uint256 openUntil = uint256(b.proposedAt) + CHALLENGE_WINDOW;
                if (block.timestamp < openUntil) revert ChallengeWindowOpen(headNumber + 1, openUntil);
            }
            _finalizeNext();
        }
    }

    /// @notice Pays the caller the bonds returned to it.
    /// @return amount Wei paid.
    function withdrawBonds() external returns (uint256 amount) {
        amount = bondCredit[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        bondCredit[msg.sender] = 0;
        emit BondsWithdrawn(msg.sender, amount);
        (bool paid,) = msg.sender.call{value: amount}("");
        if (!paid) revert PayoutFailed(msg.sender, amount);
    }

    /// @inheritdoc NativeRollup
    /// @dev Refused while provisional blocks are pending: they would fork from the accepted block.
    function advance(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        bytes calldata proofs,
        uint256 consumedMessages
    ) public virtual override {
        if (provisionalCount != 0) revert ProvisionalBlocksPending(provisionalCount);
        super.advance(parentHeader, block_, witness, proofs, consumedMessages);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The provisional block `number`.
    /// @param number A number after `headNumber`, up to the tip's.
    /// @return The block's record.
    function provisionalBlock(uint64 number) external view returns (ProvisionalBlock memory) {
        return _provisionalAt(number);
    }

    /// @notice The last block of the provisional chain (the head when none is pending).
    /// @return number Its number.
    /// @return blockHash Its hash: the parent the next proposal must name.
    function tip() external view returns (uint64 number, bytes32 blockHash) {
        (number, blockHash,) = _tip();
    }

    /// @notice Index of the first queued message the next proposal may consume.
    /// @return The index.
    function provisionalMessageIndex() external view returns (uint256) {
        (,, uint256 first) = _tip();
        return first;
    }

    /// @notice L1 timestamp from which the provisional block `number` can no longer be challenged
    /// and may be finalized.
    /// @param number A provisional block.
    /// @return The timestamp.
    function finalizableAt(uint64 number) external view returns (uint256) {
        return uint256(_provisionalAt(number).proposedAt) + CHALLENGE_WINDOW;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The tip's number and hash, and the first message after those the provisional chain consumed.
    function _tip() private view returns (uint64 number, bytes32 blockHash, uint256 messagesEnd) {
        uint64 count = provisionalCount;
        number = headNumber + count;
        if (count == 0) return (number, headHash, nextMessageIndex);
        ProvisionalBlock storage b = _provisional[number];
        return (number, b.blockHash, b.messagesEnd);
    }

    /// @dev The provisional block `number`, or a revert if there is none.
    function _provisionalAt(uint64 number) private view returns (ProvisionalBlock storage) {
        uint64 head = headNumber;
        if (number <= head || number > head + provisionalCount) revert NotProvisional(number);
        return _provisional[number];
    }

    /// @dev Reverts unless `parentHeader` is the header of block `number - 1` and `block_` is the
    /// posted RLP of block `number`.
    function _checkPosted(uint64 number, ProvisionalBlock storage b, bytes calldata parentHeader, bytes calldata block_)
        private
        view
    {
        bytes32 parentHash = keccak256(parentHeader);
        bytes32 expected = number - 1 == headNumber ? headHash : _provisional[number - 1].blockHash;
        if (parentHash != expected) revert ParentHeaderMismatch(parentHash, expected);
        bytes32 dataHash = keccak256(block_);
        if (dataHash != b.dataHash) revert BlockDataMismatch(dataHash, b.dataHash);
    }

    /// @dev Settles a won challenge: drops blocks `number` to the tip from the provisional chain
    /// and pays their bonds to the challenger (effects, then the transfer).
    function _removeFrom(uint64 number, bytes32 blockHash, uint8 code, string memory reason)
        private
        returns (uint256 reward)
    {
        uint64 removed = headNumber + provisionalCount - number + 1;
        provisionalCount -= removed;
        reward = uint256(removed) * PROPOSAL_BOND;
        emit BlockChallenged(number, blockHash, msg.sender, code, reason, removed, reward);
        (bool paid,) = msg.sender.call{value: reward}("");
        if (!paid) revert PayoutFailed(msg.sender, reward);
    }

    /// @dev Makes the first provisional block the head and credits its proposer's bond.
    function _finalizeNext() private {
        uint64 number = headNumber + 1;
        ProvisionalBlock storage b = _provisional[number];
        _setHead(b.blockHash, number, b.stateRoot, b.messagesEnd);
        --provisionalCount;
        address proposer = b.proposer;
        bondCredit[proposer] += PROPOSAL_BOND;
        emit BlockFinalized(number, b.blockHash, b.stateRoot, b.proven, proposer);
    }
}
