// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";
import {BlockHeader, BlockHeaders} from "./BlockHeaders.sol";
import {BlockHeaderDecoder} from "./BlockHeaderDecoder.sol";
import {NativeRollup} from "./NativeRollup.sol";
import {IOptimisticRollup} from "../interfaces/IOptimisticRollup.sol";

/// @title OptimisticRollup
/// @notice A native rollup that also accepts blocks provisionally, without a witness or proofs
/// (the optimistic path of docs/DESIGN.md §4.8). The sequencer `propose`s a block (its RLP in calldata)
/// with a bond; the block joins the provisional chain after the head and becomes final once
/// `CHALLENGE_WINDOW` has passed (`finalize`). The proposal commits to the block's witness too
/// (posted with it, hashed into the record): until the window closes anyone may `challenge` it with
/// exactly that witness. EXECUTE re-executes it, and a "block invalid" verdict (code >= 64), or a
/// committed witness EXECUTE cannot use (WitnessIncomplete, MalformedInput), wins, removing the
/// block and every provisional block after it and paying the challenger their bonds.
/// Proofs (or a re-execution) that arrive later `prove` a provisional block, which then
/// finalizes as soon as its parent is final, without waiting for the window.
/// @dev Rules:
/// - Order: blocks finalize in order; only final blocks have a `stateRootOf` (so L2 → L1 messages
///   are proven against final state only) and move `headHash`, `headNumber`, `nextMessageIndex`.
/// - Witness commitment (docs/design/optimistic-challenges.md): a proposal posts its parent's header,
///   the block and its witness — exactly the input of a challenge —, at most `MAX_PROPOSAL_BYTES`
///   together, and emits them in `ProposalData`, so a challenger finds them however the proposal
///   reached L1 (an account or a forwarding contract) and whatever the parent is (proposed, advanced).
///   Joint rule: the committed bytes and the header's gas limit (which bounds the L2 gas EXECUTE
///   charges) together must price a challenge (`challengeGasBound`) within `challengeGasCap()`:
///   Osaka's 2^24 gas cap (EIP-7825), or on an L1 whose blocks hold less, the block gas limit less a
///   32nd (docs/design/challenge-gas-cap.md), else `ProposalNotChallengeable`: every accepted
///   proposal can be challenged in one L1 transaction that an L1 block can include, EXECUTE's
///   charge for bytes and L2 gas included. A challenge must use the committed witness; if EXECUTE
///   cannot check the block with it, the proposer committed to a witness that does not prove its
///   block: that is the proposer's fault and loses the bond, like an invalid block.
/// - Proposal checks (no EXECUTE): the block's parent is the tip of the provisional chain, its
///   number follows, its anchor is the root of the messages it consumes after those the
///   provisional chain already consumed, it consumes one at least when the oldest is overdue, its timestamp is not
///   ahead of the L1's, and `_validateBlock` accepts its header's claims.
/// - Window: a block can be challenged while `block.timestamp < proposedAt + CHALLENGE_WINDOW` and
///   finalized from then on. A proven block cannot be challenged.
/// - Bond: every proposal locks exactly `PROPOSAL_BOND`. On finalization it is credited to the
///   proposer (`withdrawBonds`: pulled, so a proposer that rejects ETH cannot block finalization).
///   On a successful challenge the bonds of all removed blocks go to the challenger at once;
///   their proposers get nothing back (a descendant of an invalid block is built on a false state).
///   A successful challenge also opens the sequencing fallback at once (`lastAdvanceTimestamp`
///   lowered): a removed block does not count as the sequencer's or anyone's activity.
/// - A challenger names the gas EXECUTE gets (`executeGas`): a failed EXECUTE consumes all the gas
///   passed to it, so a winning challenge costs that much, not the whole transaction's gas. Too
///   little gas makes EXECUTE report OutOfGas (code 2), and an L1 block whose EXECUTE budget is
///   spent BudgetExhausted (code 3): those are the challenger's circumstances, not the proposer's
///   fault, so the challenge fails harmlessly and can be sent again (in a later L1 block).
/// - `advance` (a block verified at once) is refused while provisional blocks are pending.
abstract contract OptimisticRollup is NativeRollup, IOptimisticRollup {
    /// @notice Parameters of the optimistic path.
    /// @param challengeWindow Seconds during which a provisional block can be challenged.
    /// @param proposalBond Wei every proposal must lock.
    /// @param proposalGasPerSecond R: L2 check gas per second of L1 time that proposals may add
    /// over time (the leaky bucket's drain rate; at most what the stated challenger checks per second).
    /// @param proposalGasBurst C: the bucket's capacity in L2 check gas (at least
    /// `MIN_PROPOSAL_GAS_BURST`, so that any proposable block fits an empty bucket). See docs/design/challenger-capacity.md.
    struct OptimisticConfig {
        uint64 challengeWindow;
        uint256 proposalBond;
        uint256 proposalGasPerSecond;
        uint256 proposalGasBurst;
    }

    /// @notice A block of the provisional chain.
    /// @param blockHash keccak256 of its header's RLP.
    /// @param dataHash keccak256 of the block's RLP as posted (binds challenges and proofs to the
    /// posted transactions, not just the header).
    /// @param witnessHash keccak256 of the witness the proposer committed to (what a challenge must use).
    /// @param stateRoot The state root its header claims.
    /// @param messagesEnd Index of the first queued message left unconsumed after it.
    /// @param proposer Who posted it (and its bond).
    /// @param proposedAt L1 timestamp of the proposal.
    /// @param proven Whether EXECUTE has verified it (with proofs or by re-execution).
    struct ProvisionalBlock {
        bytes32 blockHash;
        bytes32 dataHash;
        bytes32 witnessHash;
        bytes32 stateRoot;
        uint256 messagesEnd;
        address proposer;
        uint64 proposedAt;
        bool proven;
    }

    /// @notice Most bytes a proposal may post: its parent's header, its block's RLP and its witness.
    /// It keeps the proposal transaction itself (calldata at EIP-7623's floor, the event) and a
    /// challenge's calldata floor below Osaka's 2^24 per-transaction cap (EIP-7825); what EXECUTE
    /// charges on top (bytes and L2 gas) is bounded jointly by `challengeGasBound` in `propose`.
    /// See docs/design/optimistic-challenges.md.
    uint256 public constant MAX_PROPOSAL_BYTES = 384 * 1024;

    /// @notice EIP-7825 (Osaka): no L1 transaction may carry more than 2^24 gas, so no challenge either.
    uint256 public constant L1_TX_GAS_CAP = 1 << 24;

    /// @notice The share of the L1's block gas limit a proposal's challenge may need at most: all
    /// but a 32nd (`challengeGasCap`). A block's gas limit differs from its parent's by less than a
    /// 1024th, so the limit cannot fall below the cap within 32 L1 blocks of the proposal, in which
    /// the honest challenger challenges (docs/design/challenge-gas-cap.md). The same margin as the
    /// node's advance cap (rollup-node/bridge/advanceGasCap.ts `L1_GAS_LIMIT_MARGIN_DIVISOR`).
    uint256 public constant L1_GAS_LIMIT_MARGIN_DIVISOR = 32;

    /// @notice EXECUTE's price for a re-executed block, mirrored from precompiles/gas.ts
    /// (`DEFAULT_EXECUTE_GAS_SCHEDULE`; a test checks they are equal): `EXECUTE_BASE_GAS +
    /// EXECUTE_GAS_PER_INPUT_BYTE · input bytes + EXECUTE_GAS_PER_L2_GAS · charged L2 gas`, the
    /// charged L2 gas being at most the header's gas limit (`chargedL2Gas`).
    uint256 public constant EXECUTE_BASE_GAS = 100_000;
    /// @notice See `EXECUTE_BASE_GAS`.
    uint256 public constant EXECUTE_GAS_PER_INPUT_BYTE = 16;
    /// @notice See `EXECUTE_BASE_GAS`.
    uint256 public constant EXECUTE_GAS_PER_L2_GAS = 1;

    /// @dev The rest of a challenge's cost, mirrored from rollup-node/bridge/challengeBound.ts
    /// (`challengeGasBound`, checked equal by a test): intrinsic gas, calldata prices (EIP-2028 and
    /// EIP-7623's floor), the ABI words around the three byte fields, memory copies and hashes of the
    /// input, the 63/64 reserve of the CALL to EXECUTE, and the contract's own work.
    uint256 private constant TX_BASE_GAS = 21_000;
    uint256 private constant CALLDATA_GAS_PER_BYTE = 16;
    uint256 private constant FLOOR_GAS_PER_BYTE = 40;
    /// @dev Selector and eight ABI words of `challenge`, plus three words of field padding.
    uint256 private constant CHALLENGE_CALLDATA_OVERHEAD = 4 + 8 * 32 + 3 * 32;
    /// @dev `abi.encode(uint64, bytes, bytes, bytes, bytes)` heads and lengths (9 words) with the
    /// parent header, block and witness, plus two words for their separate padding; proofs are empty.
    uint256 private constant EXECUTE_INPUT_OVERHEAD = 9 * 32 + 2 * 32;
    uint256 private constant MEMORY_COPIES = 3;
    uint256 private constant COPY_GAS_PER_WORD = 3;
    uint256 private constant KECCAK_GAS = 30;
    uint256 private constant KECCAK_GAS_PER_WORD = 6;
    uint256 private constant CHALLENGE_CONTRACT_GAS = 100_000;
    uint256 private constant CALL_RESERVE_DIVISOR = 63;

    /// @notice EXECUTE's MalformedInput code (precompiles/errors.ts): with the contract building the
    /// envelope, only the committed parent header, block or witness can be malformed (the parent
    /// header was committed by this proposal, so its fault too).
    uint8 internal constant CODE_MALFORMED_INPUT = 1;

    /// @dev Where a transaction's gas limit is: field 2 of a legacy transaction, field 3 of an
    /// EIP-2930 payload, field 4 of EIP-1559 and later payloads.
    uint256 private constant LEGACY_GAS_LIMIT_FIELD = 2;
    uint256 private constant EIP2930_GAS_LIMIT_FIELD = 3;
    uint256 private constant TYPED_GAS_LIMIT_FIELD = 4;
    uint256 private constant EIP2930_TX_TYPE = 1;
    /// @dev Most transactions whose gas limits a proposal reads (see `_largestTxGasLimit`).
    uint256 private constant MAX_WALKED_TXS = 256;
    /// @dev EIP-3529: a transaction's refund is at most its gas used over this quotient, so it
    /// executes at most 5/4 of the block gas it uses (see `_checkGas`).
    uint256 private constant MAX_REFUND_QUOTIENT = 5;

    /// @notice Least `PROPOSAL_GAS_BURST`: the most check gas a proposable block is charged, 5/4 of
    /// its gas limit (below `L1_TX_GAS_CAP`), so that every proposable block fits an empty bucket.
    uint256 public constant MIN_PROPOSAL_GAS_BURST = L1_TX_GAS_CAP + L1_TX_GAS_CAP / 4;

    /// @notice EXECUTE's WitnessIncomplete code: the committed witness lacks what the block reads.
    uint8 internal constant CODE_WITNESS_INCOMPLETE = 5;

    /// @notice Seconds after its proposal during which a provisional block can be challenged.
    uint64 public immutable CHALLENGE_WINDOW;

    /// @notice Wei locked by every proposal.
    uint256 public immutable PROPOSAL_BOND;

    /// @notice R: L2 check gas per second of L1 time the proposal bucket drains.
    uint256 public immutable PROPOSAL_GAS_PER_SECOND;

    /// @notice C: the most L2 check gas the proposal bucket holds.
    uint256 public immutable PROPOSAL_GAS_BURST;

    /// @notice This rollup's reader of posted block headers, deployed by its constructor.
    /// @dev A separate contract so that the header reader counts against this contract's initcode,
    /// not its runtime code (see BlockHeaderDecoder, docs/design/codesize.md).
    BlockHeaderDecoder public immutable HEADER_DECODER;

    /// @notice L2 check gas in the proposal bucket as of `proposalGasUpdatedAt` (it drains at R).
    uint192 public proposalGasLevel;

    /// @dev L1 timestamp of the last proposal, when `proposalGasLevel` was last set.
    uint64 private proposalGasUpdatedAt;

    /// @notice How many provisional blocks follow the head (the tip is `headNumber + provisionalCount`).
    uint64 public provisionalCount;

    /// @notice Returned bonds each account may withdraw.
    mapping(address account => uint256) public bondCredit;

    /// @dev Provisional blocks by number; only `headNumber + 1 .. tip` are meaningful (entries past
    /// the tip are stale leftovers of a challenge, overwritten by the next proposals).
    mapping(uint64 number => ProvisionalBlock) private _provisional;

    /// @param optimistic Challenge window and proposal bond (both non-zero).
    constructor(OptimisticConfig memory optimistic) {
        if (optimistic.challengeWindow == 0 || optimistic.proposalBond == 0) {
            revert InvalidOptimisticConfig(optimistic.challengeWindow, optimistic.proposalBond);
        }
        if (optimistic.proposalGasPerSecond == 0 || optimistic.proposalGasBurst < MIN_PROPOSAL_GAS_BURST) {
            revert InvalidProposalGasRate(
                optimistic.proposalGasPerSecond, optimistic.proposalGasBurst, MIN_PROPOSAL_GAS_BURST
            );
        }
        CHALLENGE_WINDOW = optimistic.challengeWindow;
        PROPOSAL_BOND = optimistic.proposalBond;
        PROPOSAL_GAS_PER_SECOND = optimistic.proposalGasPerSecond;
        PROPOSAL_GAS_BURST = optimistic.proposalGasBurst;
        HEADER_DECODER = new BlockHeaderDecoder();
        // The bucket starts empty now; writing its slot here keeps every proposal's update a warm rewrite.
        proposalGasUpdatedAt = uint64(block.timestamp);
    }

    // ---------------------------------------------------------------------------------------------
    // Provisional chain
    // ---------------------------------------------------------------------------------------------

    /// @notice Posts the next L2 block without verifying it, with `PROPOSAL_BOND` wei; it becomes
    /// final after `CHALLENGE_WINDOW` unless a challenge shows it invalid. Same authorization as
    /// `advance` (the sequencer, or anyone once it is inactive), and the same message rules,
    /// checked against the header's claims. The witness is committed: a challenge must use it, and
    /// if EXECUTE cannot check the block with it the proposer loses the bond. The L2 gas limit is
    /// fixed in optimistic mode: the header's must equal its parent's (`GasLimitChanged`), so it
    /// stays the genesis block's (docs/design/challenge-gas-cap.md §6).
    /// @param parentHeader RLP of the parent's header: the tip of the provisional chain.
    /// @param block_ RLP of the L2 block; its parent must be the tip of the provisional chain, and
    /// its gas limit its parent's.
    /// @param witness Stateless witness of the block's pre-state (what EXECUTE reads); with
    /// `parentHeader` and `block_`, at most `MAX_PROPOSAL_BYTES`, and with the header's gas limit
    /// within `challengeGasBound(bytes, gasLimit) <= challengeGasCap()` (2^24, or less on an L1
    /// whose blocks hold less).
    /// @param consumedMessages How many queued messages the block consumes, after those consumed
    /// by the provisional chain; its `parentBeaconBlockRoot` must be their MessageTree root.
    /// @return number The block's number.
    function propose(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        uint256 consumedMessages
    ) external payable returns (uint64 number) {
        _authorizeAdvance(msg.sender);
        if (msg.value != PROPOSAL_BOND) revert IncorrectBond(msg.value, PROPOSAL_BOND);
        uint256 size = parentHeader.length + block_.length + witness.length;
        if (size > MAX_PROPOSAL_BYTES) revert ProposalTooLarge(size, MAX_PROPOSAL_BYTES);
        BlockHeader memory h = HEADER_DECODER.decode(block_);
        // EXECUTE charges at most the header's gas limit in L2 gas: with the bytes, that bounds
        // the challenge, which must fit one L1 transaction that an L1 block can include, or the
        // block could never be removed.
        {
            uint256 challengeGas = challengeGasBound(size, h.gasLimit);
            uint256 cap = challengeGasCap();
            if (challengeGas > cap) revert ProposalNotChallengeable(challengeGas, cap);
        }
        uint256 next;
        // The parent's gas limit is read in place from `parentHeader`; `_checkProposal` uses it
        // once it has matched the header's hash to the tip's.
        (number, next) =
            _checkProposal(h, keccak256(parentHeader), BlockHeaders.gasLimitOf(parentHeader), block_, consumedMessages);
        _fillProposalGas(h, block_);

        _provisional[number] = ProvisionalBlock({
            blockHash: h.blockHash,
            dataHash: keccak256(block_),
            witnessHash: keccak256(witness),
            stateRoot: h.stateRoot,
            messagesEnd: next,
            proposer: msg.sender,
            proposedAt: uint64(block.timestamp),
            proven: false
        });
        ++provisionalCount;
        if (!_overdue(next)) lastAdvanceTimestamp = uint64(block.timestamp);
        emit BlockProposed(
            number, h.blockHash, h.stateRoot, consumedMessages, block.timestamp + CHALLENGE_WINDOW, msg.sender
        );
        emit ProposalData(number, h.blockHash, parentHeader, block_, witness);
    }

    /// @notice Challenges a provisional block within its window by re-executing it with EXECUTE
    /// from the witness its proposer committed to. If EXECUTE finds the block invalid (code >= 64)
    /// or cannot use the committed block or witness (WitnessIncomplete, MalformedInput: the
    /// proposer's fault), the block and every provisional block after it are removed and their
    /// bonds are paid to the caller. Otherwise the call reverts with `ChallengeFailed` and nothing
    /// changes: a valid block, too little gas or a spent EXECUTE budget never harm the block.
    /// @param number The challenged block.
    /// @param parentHeader RLP of its parent's header (the head or a provisional block).
    /// @param block_ The block's RLP exactly as posted.
    /// @param witness The witness committed with the proposal (see `ProposalData`).
    /// @param executeGas Gas to pass to EXECUTE: at least its cost for this input (by default
    /// 100,000 + 16 per byte of `abi.encode(chainId, parentHeader, block_, witness, "")` + 1 per L2
    /// gas charged (`chargedL2Gas`), see `executeGasCostOfBlock` in precompiles/gas.ts). A failed
    /// EXECUTE consumes all of it.
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
        bytes32 witnessHash = keccak256(witness);
        if (witnessHash != b.witnessHash) revert WitnessMismatch(witnessHash, b.witnessHash);

        (bool ok,, uint8 code, string memory reason) =
            Execute.tryExecute(L2_CHAIN_ID, parentHeader, block_, witness, "", executeGas);
        if (ok) revert ChallengeFailed(Execute.CODE_UNAVAILABLE, "EXECUTE accepted the block");
        if (!_isProposerFault(code)) revert ChallengeFailed(code, reason);
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
    /// The block's gas limit must be its parent's, as in `propose` (`GasLimitChanged`).
    function advance(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        bytes calldata proofs,
        uint256 consumedMessages
    ) public virtual override {
        if (provisionalCount != 0) revert ProvisionalBlocksPending(provisionalCount);
        // The same gas-limit rule as `propose` (`_checkGasLimit` here: `_checkFixedGasLimit`), or the fallback
        // could walk it with advances and no proposal could carry an overdue message again.
        super.advance(parentHeader, block_, witness, proofs, consumedMessages);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice Upper bound on the L1 gas of a `challenge` (its transaction's gas limit) of a
    /// proposal committing `committedBytes` (parent header + block + witness, all taken as non-zero)
    /// whose block EXECUTE charges at most `l2Gas` L2 gas: the larger of EIP-7623's calldata floor
    /// and the standard cost (calldata, EXECUTE's price with the CALL's 63/64 reserve, memory and
    /// copies of three in-memory copies of the input, keccak, the contract's own work). `propose`
    /// refuses a proposal for which this, at its header's gas limit, exceeds `challengeGasCap()`.
    /// Same arithmetic as `challengeGasBound` in rollup-node/bridge/challengeBound.ts.
    /// @param committedBytes Bytes the proposal commits.
    /// @param l2Gas L2 gas EXECUTE charges for the block (at most its header's gas limit).
    /// @return gas The bound.
    function challengeGasBound(uint256 committedBytes, uint256 l2Gas) public pure returns (uint256 gas) {
        uint256 padded = (committedBytes + 31) / 32 * 32;
        uint256 calldataBytes = CHALLENGE_CALLDATA_OVERHEAD + padded;
        uint256 input = EXECUTE_INPUT_OVERHEAD + padded;
        uint256 inputWords = (input + 31) / 32;
        uint256 executeGas = EXECUTE_BASE_GAS + EXECUTE_GAS_PER_INPUT_BYTE * input + EXECUTE_GAS_PER_L2_GAS * l2Gas;
        uint256 memoryWords = (MEMORY_COPIES * input + 31) / 32;
        gas = TX_BASE_GAS + CALLDATA_GAS_PER_BYTE * calldataBytes + executeGas + executeGas / CALL_RESERVE_DIVISOR + 1
            + 3 * memoryWords + memoryWords * memoryWords / 512 + COPY_GAS_PER_WORD * MEMORY_COPIES * inputWords
            + 3 * KECCAK_GAS + KECCAK_GAS_PER_WORD * inputWords + CHALLENGE_CONTRACT_GAS;
        uint256 floor = TX_BASE_GAS + FLOOR_GAS_PER_BYTE * calldataBytes;
        if (floor > gas) gas = floor;
    }

    /// @notice The most L1 gas a proposal's challenge may need (`challengeGasBound`) for `propose`
    /// to accept it in this L1 block: `L1_TX_GAS_CAP`, or on an L1 whose block gas limit G is lower,
    /// G less G / `L1_GAS_LIMIT_MARGIN_DIVISOR`. A transaction cannot use more gas than its block
    /// holds, and the limit cannot fall by the margin within 32 L1 blocks, in which the honest
    /// challenger challenges (docs/design/challenge-gas-cap.md).
    /// @return cap The cap, read from `block.gaslimit`.
    function challengeGasCap() public view returns (uint256 cap) {
        cap = block.gaslimit - block.gaslimit / L1_GAS_LIMIT_MARGIN_DIVISOR;
        if (cap > L1_TX_GAS_CAP) cap = L1_TX_GAS_CAP;
    }

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

    /// @dev A proposal's checks against the provisional tip: the parent (by hash and header), the
    /// number, the gas limit (`_checkFixedGasLimit` against `parentGasLimit`, read from the parent's
    /// header), the messages it consumes and `_validateBlock`. Returns its number and the index of
    /// the first message it leaves unconsumed.
    function _checkProposal(
        BlockHeader memory h,
        bytes32 parentHeaderHash,
        uint256 parentGasLimit,
        bytes calldata block_,
        uint256 consumedMessages
    ) private view returns (uint64 number, uint256 next) {
        uint256 first;
        {
            bytes32 tipHash;
            (number, tipHash, first) = _tip();
            if (h.parentHash != tipHash) revert ParentNotTip(h.parentHash, tipHash);
            if (parentHeaderHash != tipHash) revert ParentHeaderMismatch(parentHeaderHash, tipHash);
        }
        ++number;
        if (h.number != number) revert UnexpectedBlockNumber(h.number, number);
        bool climbing = _checkFixedGasLimit(h.gasLimit, parentGasLimit);
        next = _checkSequencing(first, consumedMessages, h.parentBeaconBlockRoot, h.timestamp, h.gasLimit, climbing);
        _checkRelays(block_, first, consumedMessages, h.parentBeaconBlockRoot, h.timestamp);
        _validateBlock(BlockHeaders.toExecuteResult(h));
    }

    /// @dev The leaky bucket of challenger capacity (docs/design/challenger-capacity.md): adds the
    /// block's check gas after draining R per second since the last proposal; reverts when it
    /// would hold more than C, naming when there will be room.
    function _fillProposalGas(BlockHeader memory h, bytes calldata block_) private {
        uint256 charged = _checkGas(h, block_);
        uint256 drained = (block.timestamp - proposalGasUpdatedAt) * PROPOSAL_GAS_PER_SECOND;
        uint256 level = proposalGasLevel;
        level = level > drained ? level - drained : 0;
        if (level + charged > PROPOSAL_GAS_BURST) {
            uint256 wait = (level + charged - PROPOSAL_GAS_BURST) / PROPOSAL_GAS_PER_SECOND + 1;
            revert ProposalGasRateExceeded(charged, level, PROPOSAL_GAS_BURST, block.timestamp + wait);
        }
        proposalGasLevel = uint192(level + charged);
        proposalGasUpdatedAt = uint64(block.timestamp);
    }

    /// @dev Most L2 gas a check of the block can execute, before refunds (docs/design/challenger-capacity.md):
    /// with U = min(gasUsed, gasLimit) and L = gasLimit, `U + U / 4 + min(largest transaction gas
    /// limit, L - U)`. Execution stops after the first transaction that takes the block's gas
    /// past the claimed `gasUsed`; the transactions before it add at most U of block gas, and each
    /// executes at most 5/4 of the block gas it adds (EIP-3529 refunds at most a fifth of a
    /// transaction's gas); the last one executes at most its gas limit, which is at most the
    /// block gas left (L - U at the least). A block whose transactions do not decode, or has more
    /// than `MAX_WALKED_TXS`, is charged as if its largest gas limit were L - U.
    function _checkGas(BlockHeader memory h, bytes calldata block_) private pure returns (uint256) {
        (uint256 largest, bool decoded) = _largestTxGasLimit(block_);
        uint256 used = h.gasUsed < h.gasLimit ? h.gasUsed : h.gasLimit;
        uint256 left = h.gasLimit - used;
        if (!decoded || largest > left) largest = left;
        return used + used / (MAX_REFUND_QUOTIENT - 1) + largest;
    }

    /// @dev The largest gas limit among the block's transactions (legacy: field 2; EIP-2930:
    /// field 3; EIP-1559 and later types: field 4 of the payload), read in place from calldata
    /// without reverting; `decoded` is false when the RLP does not parse.
    function _largestTxGasLimit(bytes calldata block_) private pure returns (uint256 largest, bool decoded) {
        uint256 p;
        assembly ("memory-safe") {
            p := block_.offset
        }
        uint256 end = p + block_.length;
        (uint256 length, bool isList, bool ok) = (0, false, false);
        (p, length, isList, ok) = _item(p, end);
        if (!ok || !isList) return (0, false);
        end = p + length;
        // A failed item ends at or past `end`, so the next read fails too: only the last is checked.
        (p, length,,) = _item(p, end); // the header
        (p, length, isList, ok) = _item(p + length, end); // the transactions
        if (!ok || !isList) return (0, false);
        uint256 txsEnd = p + length;
        for (uint256 walked; p < txsEnd; ++walked) {
            // Past MAX_WALKED_TXS the block is charged its gas limit: a valid block of that many
            // transactions uses at least 21,000 gas each, so little is lost, and the walk is bounded.
            if (walked == MAX_WALKED_TXS) return (0, false);
            (uint256 txStart, uint256 txLength,,) = (0, 0, false, false);
            (txStart, txLength, isList, ok) = _item(p, txsEnd); // a legacy transaction is a list
            if (!ok) return (0, false);
            uint256 fields = txStart;
            uint256 fieldsEnd = txStart + txLength;
            uint256 index = LEGACY_GAS_LIMIT_FIELD;
            if (!isList) {
                uint256 txType;
                assembly ("memory-safe") {
                    txType := byte(0, calldataload(txStart))
                }
                index = txType == EIP2930_TX_TYPE ? EIP2930_GAS_LIMIT_FIELD : TYPED_GAS_LIMIT_FIELD;
                (fields, length,, ok) = _item(txStart + 1, fieldsEnd);
                if (!ok) return (0, false);
                fieldsEnd = fields + length;
            }
            for (uint256 i; i < index; ++i) {
                (fields, length,,) = _item(fields, fieldsEnd);
                fields += length;
            }
            // A field that is a list or longer than 32 bytes is a transaction that does not decode:
            // EXECUTE rejects such a block before running any of it, so what is read here is moot.
            (fields, length,, ok) = _item(fields, fieldsEnd);
            if (!ok) return (0, false);
            uint256 gasLimit;
            assembly ("memory-safe") {
                gasLimit := shr(sub(256, mul(8, length)), calldataload(fields))
            }
            if (gasLimit > largest) largest = gasLimit;
            p = txStart + txLength;
        }
        return (largest, true);
    }

    /// @dev The RLP item at calldata offset `at` (absolute), which must end by `end`: where its
    /// payload starts, its length, whether it is a list, and whether it fits (never reverts).
    function _item(uint256 at, uint256 end) private pure returns (uint256 start, uint256 length, bool isList, bool ok) {
        if (at >= end) return (end, 0, false, false);
        uint256 prefix;
        assembly ("memory-safe") {
            prefix := byte(0, calldataload(at))
        }
        if (prefix < 0x80) return (at, 1, false, true);
        uint256 lengthOfLength;
        if (prefix < 0xb8) {
            length = prefix - 0x80;
        } else if (prefix < 0xc0) {
            lengthOfLength = prefix - 0xb7;
        } else if (prefix < 0xf8) {
            length = prefix - 0xc0;
            isList = true;
        } else {
            lengthOfLength = prefix - 0xf7;
            isList = true;
        }
        start = at + 1 + lengthOfLength;
        if (lengthOfLength != 0) {
            assembly ("memory-safe") {
                length := shr(sub(256, mul(8, lengthOfLength)), calldataload(add(at, 1)))
            }
        }
        ok = start <= end && length <= end - start;
    }

    /// @inheritdoc NativeRollup
    /// @dev `_checkFixedGasLimit` on the parent header's gas limit, as `propose` applies it.
    function _checkGasLimit(uint256 gasLimit, bytes calldata parentHeader) internal pure override returns (bool) {
        return _checkFixedGasLimit(gasLimit, BlockHeaders.gasLimitOf(parentHeader));
    }

    /// @dev The L2 gas limit is fixed in optimistic mode once at or above the floor: a proposer who
    /// could move it almost a 1024th per block could walk it up until no block carrying an overdue
    /// L1 message fits `challengeGasCap()`, halting the rollup (docs/design/challenge-gas-cap.md §6).
    /// Below the floor `_checkFloor` applies (only a climb, `L2GasLimitTooLow` otherwise), so a
    /// genesis below it climbs once, to at most the floor plus a 1024th (the node stops at the
    /// floor), and stays there; every proposal's own gas limit is still priced against the cap
    /// (`challengeGasBound`). Returns whether the block climbs below the floor.
    function _checkFixedGasLimit(uint256 gasLimit, uint256 parentGasLimit) private pure returns (bool climbing) {
        climbing = _checkFloor(gasLimit, parentGasLimit);
        if (parentGasLimit >= MIN_L2_GAS_LIMIT && gasLimit != parentGasLimit) {
            revert GasLimitChanged(parentGasLimit, gasLimit);
        }
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

    /// @dev Whether an EXECUTE failure on the committed block and witness is the proposer's fault:
    /// the block is invalid (>= 64), or the committed witness or block cannot be used. Every other
    /// input of the call is fixed by this contract (chain id, envelope, parent header by hash).
    function _isProposerFault(uint8 code) private pure returns (bool) {
        return Execute.isBlockInvalid(code) || code == CODE_WITNESS_INCOMPLETE || code == CODE_MALFORMED_INPUT;
    }

    /// @dev Settles a won challenge: drops blocks `number` to the tip from the provisional chain
    /// and pays their bonds to the challenger (effects, then the transfer).
    function _removeFrom(uint64 number, bytes32 blockHash, uint8 code, string memory reason)
        private
        returns (uint256 reward)
    {
        uint64 removed = headNumber + provisionalCount - number + 1;
        provisionalCount -= removed;
        // A removed block was never the chain's, so the fallback's clock it reset must not keep the
        // fallback closed (attack-review-s27.md, finding 13: a third party proposing a forged block
        // at each opening held a take-over off for one bond a period). It opens now: whoever
        // proposed a block shown invalid, a third party or the sequencer itself, keeps no exclusivity.
        if (block.timestamp >= SEQUENCER_INACTIVITY_PERIOD) {
            uint64 openNow = uint64(block.timestamp) - SEQUENCER_INACTIVITY_PERIOD;
            if (openNow < lastAdvanceTimestamp) lastAdvanceTimestamp = openNow;
        }
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
