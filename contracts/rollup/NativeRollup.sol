// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Execute, ExecuteResult} from "../Execute.sol";
import {L2Bridge} from "../l2/L2Bridge.sol";
import {BlockHeaders} from "./BlockHeaders.sol";
import {L2MessageProver} from "./L2MessageProver.sol";
import {L1Message, L2Message, Messages} from "./Messages.sol";
import {MessageTree} from "./MessageTree.sol";
import {ProofPolicies, ProofPolicy} from "./ProofPolicy.sol";
import {DEFAULT_CROSS_DOMAIN_SENDER, L2_BRIDGE_ADDRESS, MESSAGE_DATA_SIZE_LIMIT} from "./RollupConstants.sol";
import {INativeRollup} from "../interfaces/INativeRollup.sol";
import {MessageDataTooLarge} from "../interfaces/RollupErrors.sol";

/// @title NativeRollup
/// @notice The L1 contract of a native rollup: the rollup's programmable consensus layer. It keeps
/// the L2 head, accepts each next L2 block that the EXECUTE precompile verifies, queues L1 → L2
/// messages that blocks must anchor, and finalizes L2 → L1 messages proven against accepted
/// L2 state roots. Each rollup inherits it and may override the sequencing hooks.
/// @dev Blocks are final once accepted: EXECUTE re-executes (or verifies proofs of) the block, so
/// there is no challenge game.
abstract contract NativeRollup is INativeRollup {
    using Messages for L1Message;
    using Messages for L2Message;

    /// @notice Policy parameters of a rollup.
    /// @param sequencerInactivityPeriod Seconds without an accepted block after which anyone may advance.
    /// @param forceInclusionDelay Seconds after which a queued message must be consumed by the next block.
    struct RollupConfig {
        uint64 sequencerInactivityPeriod;
        uint64 forceInclusionDelay;
    }

    /// @notice An entry of the L1 → L2 queue.
    /// @param messageHash The message's hash (a MessageTree leaf).
    /// @param queuedAt L1 timestamp of its queueing.
    /// @param weight The most L2 gas its relay may need (`_relayWeight`): what it takes of a block's
    /// overdue budget. Packed with `queuedAt`, so it costs the queueing no extra storage slot.
    struct QueuedMessage {
        bytes32 messageHash;
        uint64 queuedAt;
        uint64 weight;
    }

    /// @notice Gas limit of the L2 call of a plain ETH deposit.
    uint256 public constant DEPOSIT_GAS_LIMIT = 100_000;

    /// @notice Largest gas limit an L1 → L2 message may ask for.
    uint256 public constant MAX_MESSAGE_GAS_LIMIT = 10_000_000;

    /// @notice Largest calldata of an L1 → L2 message (bytes).
    uint256 public constant MAX_MESSAGE_DATA_SIZE = MESSAGE_DATA_SIZE_LIMIT;

    /// @notice Gas a relay transaction needs beyond its call's share (`gasLimit + gasLimit / 63`):
    /// intrinsic gas, the proof check, the EIP-4788 read, and L2Bridge's `CALL_RESERVE_GAS`.
    uint256 internal constant RELAY_OVERHEAD_GAS = 200_000;

    /// @notice Relay gas per byte of the relay's calldata: the EIP-7623 floor of a non-zero byte.
    uint256 internal constant RELAY_GAS_PER_CALLDATA_BYTE = 40;

    /// @notice Largest gas limit of a refund request (an L1 message calling `L2Bridge.refundMessage`):
    /// no block may defer one, so it must always fit a block (`MIN_L2_GAS_LIMIT`).
    uint256 internal constant MAX_REFUND_GAS_LIMIT = 200_000;

    /// @notice Calldata bytes of a relay beyond its message's data when the message is its block's
    /// only one: the selector, 4 head words, the message's 6 head words, the data's length word and
    /// the empty proof's length word (`relayMessage(message, timestamp, 0, [])`).
    uint256 internal constant RELAY_CALL_ABI_BYTES = 4 + 32 * 12;

    /// @notice Calldata bytes a message's weight allows for its MessageTree proof: 8 levels, a block
    /// of up to 256 messages (an overdue budget holds at most 13: each weighs at least 225,760).
    uint256 internal constant RELAY_PROOF_BYTES = 32 * 8;

    /// @notice Least L2 block gas limit L1 accepts: the gas limit L1 requires of the relay of the
    /// largest refund request (which no block may defer) alone in its block. Below it, one such
    /// message, which anyone may queue, could be consumed by no block; once it is overdue every
    /// block would be refused (`OverdueMessageSkipped`), for good (docs/design/attack-review-s27.md).
    uint256 public constant MIN_L2_GAS_LIMIT = MAX_REFUND_GAS_LIMIT + MAX_REFUND_GAS_LIMIT / 63 + RELAY_OVERHEAD_GAS
        + RELAY_GAS_PER_CALLDATA_BYTE * (MAX_MESSAGE_DATA_SIZE + RELAY_CALL_ABI_BYTES);

    /// @notice Weight a message carries for no more L1 gas than its own queueing: a plain deposit's
    /// (`_relayWeight(DEPOSIT_GAS_LIMIT, 0)`, 327,347). A deposit costs ≈ 77,000–94,000 L1 gas and
    /// a block's overdue budget holds 9 (the node's 10), so deposits already cost a stranger about one
    /// `advance` per block of delay they buy; only weight above it is charged (`_burnForWeight`).
    uint256 internal constant FREE_MESSAGE_WEIGHT = DEPOSIT_GAS_LIMIT + DEPOSIT_GAS_LIMIT / 63 + RELAY_OVERHEAD_GAS
        + RELAY_GAS_PER_CALLDATA_BYTE * (RELAY_CALL_ABI_BYTES + RELAY_PROOF_BYTES);

    /// @notice L1 gas burnt per weight above `FREE_MESSAGE_WEIGHT`: 2/3 (numerator, denominator).
    /// A message's gas limit is declared, not paid, on L1, so without it a message weighing just over
    /// half the overdue budget (`MIN_L2_GAS_LIMIT / 2`) buys one L2 block of delay of every later
    /// message for ≈ 81,000 L1 gas while each such block costs its advancer ≈ 760,000 (a censor's,
    /// re-execution; docs/design/attack-review-s27.md, finding 8). At 2/3 that message burns ≈ 795,000
    /// more, so that block of delay costs the stranger ≈ 1.16 times its `advance`; lighter messages fit
    /// several a block (≈ 1.1M a block for two to five, down to the deposits' own ≈ 700,000 for nine).
    /// The least rate for ≥ 1 is 0.57; at 1/4 the stranger would pay half the advancer's cost; at 1 the
    /// heaviest message (weight 13,005,930) would burn 12.7M, near EIP-7825's 16,777,216 per transaction.
    /// A block that relays the message (the honest node) costs ≈ 2M, EXECUTE charging the relay's gas
    /// limit: matching that would take ≥ 1.65 per weight (the finding's residual (b)).
    uint256 internal constant BURN_PER_WEIGHT_NUMERATOR = 2;
    uint256 internal constant BURN_PER_WEIGHT_DENOMINATOR = 3;

    /// @notice Gas the queueing must have left beyond its burn: the loop's overshoot (a few dozen gas
    /// per turn) and the return, so a gas limit too low fails `MessageBurnUnaffordable`, not out of gas.
    uint256 internal constant BURN_RESERVE_GAS = 5_000;

    /// @notice EIP-2718 type of the only relay transactions accepted (EIP-1559).
    uint8 private constant RELAY_TX_TYPE = 2;

    /// @notice Fields of an EIP-1559 transaction payload that a relay check reads.
    uint256 private constant TX_GAS_LIMIT_INDEX = 4;
    uint256 private constant TX_TO_INDEX = 5;
    uint256 private constant TX_VALUE_INDEX = 6;
    uint256 private constant TX_DATA_INDEX = 7;

    /// @notice The L2 chain id (EIP-155 and CHAINID on L2).
    uint64 public immutable L2_CHAIN_ID;

    /// @notice The account allowed to advance while it is active.
    address public immutable SEQUENCER;

    /// @notice Seconds without an accepted block (one that leaves no message overdue) after which
    /// anyone may advance.
    uint64 public immutable SEQUENCER_INACTIVITY_PERIOD;

    /// @notice Seconds after which a queued message is overdue: a block must consume overdue messages,
    /// in order, until the next would not fit its overdue budget, and always at least one
    /// (`_checkSequencing`).
    uint64 public immutable FORCE_INCLUSION_DELAY;

    /// @notice This rollup's checker of L2 → L1 message proofs, deployed by its constructor.
    /// @dev A separate contract so that the proof code counts against this contract's initcode,
    /// not its runtime code, which EIP-170 caps at 24,576 bytes (see L2MessageProver).
    L2MessageProver public immutable MESSAGE_PROVER;

    /// @notice Hash of the L2 head (the last accepted block).
    bytes32 public headHash;

    /// @notice Number of the L2 head.
    uint64 public headNumber;

    /// @notice L1 timestamp of the last accepted block that left no message overdue (the deployment
    /// time before the first); an optimistic rollup also sets it when such a block is proposed (the
    /// sequencer's activity).
    uint64 public lastAdvanceTimestamp;

    /// @notice Index of the first queued message no block has consumed yet.
    uint256 public nextMessageIndex;

    /// @notice State root of every accepted L2 block, by number (zero for unknown blocks).
    mapping(uint64 number => bytes32) public stateRootOf;

    /// @notice L2 → L1 messages already finalized, by hash.
    mapping(bytes32 messageHash => bool) public finalized;

    /// @notice Wei deposited to back the L2 genesis allocations (L2 ETH that no deposit brought).
    uint256 public genesisSupply;

    QueuedMessage[] private _queue;

    /// @dev Which proofs this rollup accepts in place of re-execution (none until set).
    ProofPolicy private _proofPolicy;

    /// @dev The L2 sender of the message being finalized; zero outside a finalization.
    address private transient _l2Sender;

    /// @param l2ChainId The L2 chain id.
    /// @param genesisBlockHash Hash of the L2 genesis block (the first head).
    /// @param genesisStateRoot State root of the L2 genesis block.
    /// @param sequencer The permissioned sequencer.
    /// @param config Sequencing and censorship-resistance parameters.
    constructor(
        uint64 l2ChainId,
        bytes32 genesisBlockHash,
        bytes32 genesisStateRoot,
        address sequencer,
        RollupConfig memory config
    ) {
        L2_CHAIN_ID = l2ChainId;
        SEQUENCER = sequencer;
        SEQUENCER_INACTIVITY_PERIOD = config.sequencerInactivityPeriod;
        FORCE_INCLUSION_DELAY = config.forceInclusionDelay;
        MESSAGE_PROVER = new L2MessageProver();
        headHash = genesisBlockHash;
        stateRootOf[0] = genesisStateRoot;
        lastAdvanceTimestamp = uint64(block.timestamp);
    }

    // ---------------------------------------------------------------------------------------------
    // Blocks
    // ---------------------------------------------------------------------------------------------

    /// @notice Accepts the next L2 block, verified by EXECUTE, as the new head.
    /// @param parentHeader RLP of the current head's header.
    /// @param block_ RLP of the L2 block.
    /// @param witness Stateless witness of the block's pre-state.
    /// @param proofs `abi.encode(ExecutionProof[])` checked against this rollup's proof policy;
    /// empty to re-execute from `witness`.
    /// @param consumedMessages How many queued messages the block consumes (from `nextMessageIndex`);
    /// its `parentBeaconBlockRoot` must be their MessageTree root.
    /// @dev Virtual so that a rollup with other ways of accepting blocks (e.g. OptimisticRollup)
    /// can refuse `advance` while they are in progress.
    function advance(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        bytes calldata proofs,
        uint256 consumedMessages
    ) public virtual {
        _authorizeAdvance(msg.sender);
        bytes32 parentHash = keccak256(parentHeader);
        if (parentHash != headHash) revert ParentNotHead(parentHash, headHash);

        ExecuteResult memory r = _execute(parentHeader, block_, witness, proofs);
        // EXECUTE lets a header move the gas limit by almost a 1024th of its parent's: a walk down
        // would leave the largest message no block to go in; below the floor only a climb passes.
        bool climbing = _checkGasLimit(r.gasLimit, parentHeader);

        uint256 first = nextMessageIndex;
        uint256 next =
            _checkSequencing(first, consumedMessages, r.parentBeaconBlockRoot, r.timestamp, r.gasLimit, climbing);
        _checkRelays(block_, first, consumedMessages, r.parentBeaconBlockRoot, r.timestamp);
        _validateBlock(r);

        _setHead(r.blockHash, r.number, r.stateRoot, next);
        if (!_overdue(next)) lastAdvanceTimestamp = uint64(block.timestamp);
        emit BlockAdvanced(r.number, r.blockHash, r.stateRoot, consumedMessages, r.gasUsed, r.burnedFees, msg.sender);
        // Derivability (docs/design/derivability.md): an account without code calling at the top
        // of its transaction published `block_` in the calldata; any other caller (a contract, an
        // EIP-7702-delegated account) may have built it in memory, so the bytes go in the log.
        if (msg.sender != tx.origin || msg.sender.code.length != 0) emit BlockData(r.number, r.blockHash, block_);
    }

    /// @notice The proof policy EXECUTE applies to this rollup's blocks when proofs are supplied.
    /// @return The policy (threshold 0: proofs are not accepted).
    function proofPolicy() external view returns (ProofPolicy memory) {
        return _proofPolicy;
    }

    /// @notice L1 timestamp from which anyone may advance, unless the sequencer advances first.
    /// @return The timestamp.
    function openSequencingAt() public view returns (uint256) {
        return uint256(lastAdvanceTimestamp) + SEQUENCER_INACTIVITY_PERIOD;
    }

    /// @notice Deposits `msg.value` wei as backing of the L2 genesis allocations, so that ETH
    /// which exists on L2 from genesis can be withdrawn without taking depositors' ETH. The
    /// deployment deposits the sum of the genesis balances (the L2Bridge's pre-mint excepted).
    function depositGenesisSupply() external payable {
        // No event: `genesisSupply()` is the record (the optimistic rollup has no code size to spare).
        genesisSupply += msg.value;
    }

    // ---------------------------------------------------------------------------------------------
    // L1 → L2 messages
    // ---------------------------------------------------------------------------------------------

    /// @notice Deposits `msg.value` wei for `to` on L2 (a plain transfer with `DEPOSIT_GAS_LIMIT`).
    /// @param to The L2 recipient.
    /// @return nonce The message's nonce.
    function depositETH(address to) external payable returns (uint256 nonce) {
        return _queueMessage(to, DEPOSIT_GAS_LIMIT, "");
    }

    /// @notice Queues a call of `to` on L2 with `data`, `gasLimit` and `msg.value`; during the L2
    /// call `L2Bridge.l1Sender()` is the caller of this function.
    /// @param to The L2 account to call.
    /// @param gasLimit Gas of the L2 call (at most `MAX_MESSAGE_GAS_LIMIT`).
    /// @param data Calldata (at most `MAX_MESSAGE_DATA_SIZE` bytes).
    /// @return nonce The message's nonce.
    function sendMessage(address to, uint256 gasLimit, bytes calldata data) external payable returns (uint256 nonce) {
        return _queueMessage(to, gasLimit, data);
    }

    /// @notice How many messages have ever been queued.
    /// @return The queue length.
    function messageCount() external view returns (uint256) {
        return _queue.length;
    }

    /// @notice The hash of the queued message `nonce`.
    /// @param nonce The message's nonce.
    /// @return The hash.
    function messageHash(uint256 nonce) external view returns (bytes32) {
        return _queued(nonce).messageHash;
    }

    /// @notice When the message `nonce` was queued (L1 timestamp).
    /// @param nonce The message's nonce.
    /// @return The timestamp.
    function messageQueuedAt(uint256 nonce) external view returns (uint64) {
        return _queued(nonce).queuedAt;
    }

    // ---------------------------------------------------------------------------------------------
    // L2 → L1 messages
    // ---------------------------------------------------------------------------------------------

    /// @notice Finalizes an L2 → L1 message: proves that L2Bridge recorded it in the state of an
    /// accepted L2 block, then pays `message.value` to `message.to` and calls it with
    /// `message.data` (with `l2Sender()` = `message.from`). Anyone may finalize; each message once.
    /// A failing call reverts the whole finalization, which can then be retried.
    /// @param l2BlockNumber An accepted L2 block at or after the one that sent the message.
    /// @param message The message.
    /// @param accountProof EIP-1186 proof of the L2Bridge account against the block's state root.
    /// @param storageProof EIP-1186 proof of the message's sent-messages slot against the
    /// L2Bridge storage root.
    function finalizeMessage(
        uint64 l2BlockNumber,
        L2Message calldata message,
        bytes[] calldata accountProof,
        bytes[] calldata storageProof
    ) external {
        bytes32 stateRoot = stateRootOf[l2BlockNumber];
        if (stateRoot == bytes32(0)) revert BlockNotAccepted(l2BlockNumber);
        bytes32 hash = message.hash();
        if (finalized[hash]) revert AlreadyFinalized(hash);
        if (!MESSAGE_PROVER.isSentOnL2(stateRoot, hash, accountProof, storageProof)) revert MessageNotSent(hash);

        finalized[hash] = true;
        emit MessageFinalized(hash, message.nonce, message.to, message.value);

        address previousSender = _l2Sender;
        _l2Sender = message.from;
        (bool success, bytes memory returnData) = message.to.call{value: message.value}(message.data);
        _l2Sender = previousSender;
        if (!success) revert MessageCallFailed(hash, returnData);
    }

    /// @notice The L2 sender of the message being finalized (`DEFAULT_CROSS_DOMAIN_SENDER` otherwise).
    /// @return The L2 account.
    function l2Sender() external view returns (address) {
        address sender = _l2Sender;
        return sender == address(0) ? DEFAULT_CROSS_DOMAIN_SENDER : sender;
    }

    // ---------------------------------------------------------------------------------------------
    // Hooks
    // ---------------------------------------------------------------------------------------------

    /// @notice Reverts unless `submitter` may advance now. Default: the sequencer always; anyone
    /// once the sequencer has been inactive for `SEQUENCER_INACTIVITY_PERIOD`.
    /// @param submitter The caller of `advance`.
    function _authorizeAdvance(address submitter) internal view virtual {
        if (submitter == SEQUENCER) return;
        uint256 openAt = openSequencingAt();
        if (block.timestamp < openAt) revert NotSequencer(submitter, openAt);
    }

    /// @notice Sets which proofs the rollup accepts; called by a rollup's constructor or governance.
    /// @param policy The new policy (validated: 1 <= threshold <= keys).
    function _setProofPolicy(ProofPolicy memory policy) internal {
        ProofPolicies.validate(policy);
        _proofPolicy = policy;
        emit ProofPolicySet(policy.threshold, policy.allowReexecution, policy.acceptedKeys);
    }

    /// @notice The floor on a block's gas limit: a block below `MIN_L2_GAS_LIMIT` is accepted only
    /// if its gas limit is strictly above its parent's (a climb toward the floor); a walk down, or
    /// staying level, below the floor is refused (`L2GasLimitTooLow`). Without the climb a chain
    /// whose genesis is below the floor (a deployment by hash, which cannot be checked here) could
    /// never advance while `depositETH` and `sendMessage` take ETH (docs/design/attack-review-s27.md,
    /// finding 4). A climb only goes up: each block must grow the gas limit, by at most a 1024th
    /// (EXECUTE's header rule), and no block ever takes it back below the floor. The node's climb,
    /// by the most each block allows, reaches the floor from gas limit g in ≈ 1024 ·
    /// ln(MIN_L2_GAS_LIMIT / g) blocks (≈ 1,140 from 1M); a hostile sequencer's, 1 gas a block, may
    /// take MIN_L2_GAS_LIMIT − g blocks, during which the overdue budget still applies and the
    /// fallback's clock is not reset while a message is overdue (attack-review-s27.md, finding 6).
    /// @param gasLimit The block's gas limit.
    /// @param parentGasLimit Its parent's (read from the parent header the caller matched to the tip).
    /// @return climbing Whether the block is below the floor (and so a climb): such a block is exempt
    /// from the overdue rule (`_checkSequencing`), since a refund request with 64 KB of calldata fits
    /// no block below the floor and, overdue, would otherwise leave the climb itself no block to take.
    function _checkFloor(uint256 gasLimit, uint256 parentGasLimit) internal pure returns (bool climbing) {
        if (gasLimit >= MIN_L2_GAS_LIMIT) return false;
        if (gasLimit <= parentGasLimit) revert L2GasLimitTooLow(gasLimit, MIN_L2_GAS_LIMIT);
        return true;
    }

    /// @notice The gas-limit rule of `advance`: `_checkFloor`.
    /// @param gasLimit The block's gas limit (EXECUTE accepted it on `parentHeader`).
    /// @param parentHeader RLP of the parent's header, whose hash `advance` matched to the head's.
    /// @return climbing See `_checkFloor`.
    /// @dev Virtual: OptimisticRollup also fixes the gas limit once at or above the floor. The
    /// parent's gas limit is read (≈ 1,500 gas) only below the floor: at or above it any gas limit
    /// EXECUTE accepts passes here.
    function _checkGasLimit(uint256 gasLimit, bytes calldata parentHeader) internal view virtual returns (bool climbing) {
        return gasLimit < MIN_L2_GAS_LIMIT && _checkFloor(gasLimit, BlockHeaders.gasLimitOf(parentHeader));
    }

    /// @notice Extra checks a rollup applies to a verified block before accepting it. Default: none.
    /// @param result What EXECUTE returned for the block.
    function _validateBlock(ExecuteResult memory result) internal view virtual {}

    // ---------------------------------------------------------------------------------------------
    // Building blocks for rollups that accept blocks in other ways (see OptimisticRollup)
    // ---------------------------------------------------------------------------------------------

    /// @notice Verifies `block_` on top of `parentHeader` with EXECUTE, attaching `proofs` under
    /// this rollup's proof policy; reverts with EXECUTE's `ExecuteInvalid` if the block is rejected.
    /// @param parentHeader RLP of the parent header.
    /// @param block_ RLP of the L2 block.
    /// @param witness Stateless witness of the block's pre-state.
    /// @param proofs `abi.encode(ExecutionProof[])`, or empty to re-execute from `witness`.
    /// @return The block's commitments.
    /// @dev Virtual so that a rollup can show or adapt its one-line verification (the template does).
    function _execute(bytes calldata parentHeader, bytes calldata block_, bytes calldata witness, bytes calldata proofs)
        internal
        virtual
        returns (ExecuteResult memory)
    {
        return Execute.execute(L2_CHAIN_ID, parentHeader, block_, witness, _withProofPolicy(proofs));
    }

    /// @notice EXECUTE's `proofs` field: the sequencer's proofs under this rollup's policy.
    /// @param proofs `abi.encode(ExecutionProof[])`, or empty to re-execute (returned as is).
    /// @return `abi.encode(ProofPolicy, ExecutionProof[])`, or empty.
    function _withProofPolicy(bytes calldata proofs) internal view returns (bytes memory) {
        return ProofPolicies.attach(_proofPolicy, proofs);
    }

    /// @notice Whether message `nonce`, the oldest unconsumed one after a block, is overdue. Such a
    /// block does not reset the fallback's clock (`lastAdvanceTimestamp`): a sequencer that drains an
    /// overdue backlog one message a block, each just before the fallback would open, would otherwise
    /// keep a message with k messages queued before it waiting k inactivity periods past its deadline
    /// while nobody else may advance (docs/design/attack-review-s27.md, second pass). An honest
    /// sequencer consuming a backlog larger than a block loses nothing: the fallback only lets others
    /// advance too.
    /// @param nonce Index of the oldest unconsumed message (may be the queue's length: none).
    function _overdue(uint256 nonce) internal view returns (bool) {
        return nonce < _queue.length && block.timestamp - _queue[nonce].queuedAt > FORCE_INCLUSION_DELAY;
    }

    /// @notice Checks the sequencing rules for a block that follows a chain whose next unconsumed
    /// message is `first`: its anchor is the MessageTree root of the `count` messages from `first`;
    /// when the message it leaves next is overdue, it consumed at least one (unless it climbs below the
    /// floor, where the oldest may fit no block) and that one's weight
    /// exceeds what its overdue budget has left after the weights of those it consumed; its
    /// timestamp is not ahead of the L1's.
    /// @dev Not "every overdue message": messages are permissionless and a block holds a bounded
    /// number of them (two of 64 KB need more than a 4M-gas L2 block, a few hundred small ones more
    /// than one `advance`), so a backlog that became overdue while no block consumed it would make
    /// every block refused, by anyone, for good (docs/design/attack-review-s27.md, finding 1). Nor
    /// "at least one": a censor consuming one overdue message a block delays a message by one block
    /// per message queued before it (the residual of attack-review-s27.md). The budget is
    /// `min(gasLimit, MIN_L2_GAS_LIMIT)`: L2 gas the block holds, and no more than what one message
    /// alone may need, so the required set costs one `advance` no more L1 gas (calldata, relay
    /// checks: at most 13 messages, 76 KB) than the largest single message every block must already
    /// be able to carry. Weights overstate a relay's gas limit (`_relayWeight`), so the required
    /// relays always fit the block. Overdue messages are the queue's oldest, so they are a prefix.
    /// @param first Index of the first message the block may consume.
    /// @param count How many messages the block consumes.
    /// @param anchor The block's `parentBeaconBlockRoot`.
    /// @param timestamp The block's timestamp.
    /// @param gasLimit The block's gas limit.
    /// @param climbing Whether the block climbs below the floor (`_checkFloor`): exempt from having to
    /// consume at least one overdue message, as the oldest may fit no block until the climb reaches
    /// the floor; it must still consume the overdue messages that fit its budget.
    /// @return next Index of the first message left unconsumed after the block.
    function _checkSequencing(
        uint256 first,
        uint256 count,
        bytes32 anchor,
        uint64 timestamp,
        uint256 gasLimit,
        bool climbing
    ) internal view returns (uint256 next) {
        bytes32 expectedAnchor = _pendingMessagesRoot(first, count);
        if (anchor != expectedAnchor) revert AnchorMismatch(expectedAnchor, anchor);
        next = first + count;
        if (_overdue(next)) {
            QueuedMessage storage left = _queue[next];
            if (count == 0 && !climbing) revert OverdueMessageSkipped(next, left.queuedAt);
            uint256 remaining = gasLimit < MIN_L2_GAS_LIMIT ? gasLimit : MIN_L2_GAS_LIMIT;
            // Stops once the budget is spent: at most 14 reads, however many the block consumes.
            for (uint256 i = first; i < next && remaining > 0; ++i) {
                uint256 weight = _queue[i].weight;
                remaining = weight < remaining ? remaining - weight : 0;
            }
            if (left.weight <= remaining) revert OverdueMessageLeft(next, left.weight, remaining);
        }
        if (timestamp > block.timestamp) revert BlockFromFuture(timestamp, block.timestamp);
    }

    /// @notice Checks that the block runs every message it consumes: its first `count`
    /// transactions are, in order, one EIP-1559 transaction per consumed message calling
    /// L2Bridge's `relayMessage` (with at least the gas the message is owed) or `deferMessage`
    /// (never for a refund request), with the queued message, this block's timestamp as anchor,
    /// its index and a valid proof. L2Bridge then consumes each one in this block: its call runs
    /// with its full gas, or its failure is recorded with its value held for a refund. Whoever
    /// signs the relays, a valid block includes them (EXECUTE rejects invalid transactions).
    /// @param block_ RLP of the L2 block.
    /// @param first Index of the first consumed message.
    /// @param count How many messages the block consumes.
    /// @param anchor The block's `parentBeaconBlockRoot` (already checked to be their root).
    /// @param timestamp The block's timestamp (the EIP-4788 key of the anchor on L2).
    function _checkRelays(bytes calldata block_, uint256 first, uint256 count, bytes32 anchor, uint64 timestamp)
        internal
        view
    {
        if (count == 0) return;
        // Walks the RLP in calldata (no copy, no cap on the number of transactions):
        // block = [header, transactions, ...]; only the first `count` transactions are read.
        (uint256 position, uint256 txsEnd) = _transactionList(block_, first);
        for (uint256 i; i < count; ++i) {
            if (position >= txsEnd) revert RelayMissing(first + i, RelayFault.NoTransaction);
            (uint256 txStart, uint256 txLength, bool txIsList) = _rlpItem(block_, position);
            if (txIsList) revert RelayMissing(first + i, RelayFault.NotEip1559);
            _checkRelay(block_[txStart:txStart + txLength], first + i, i, anchor, timestamp);
            position = txStart + txLength;
        }
    }

    /// @notice Makes a block the head: records its hash, number and state root (which L2 → L1
    /// messages are proven against) and the messages it leaves unconsumed. Emits nothing.
    /// @param blockHash The block hash.
    /// @param number The block number.
    /// @param stateRoot The block's post-state root.
    /// @param next Index of the first message no accepted block has consumed.
    function _setHead(bytes32 blockHash, uint64 number, bytes32 stateRoot, uint256 next) internal {
        headHash = blockHash;
        headNumber = number;
        stateRootOf[number] = stateRoot;
        nextMessageIndex = next;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _queueMessage(address to, uint256 gasLimit, bytes memory data) private returns (uint256 nonce) {
        if (gasLimit > MAX_MESSAGE_GAS_LIMIT) revert GasLimitTooHigh(gasLimit, MAX_MESSAGE_GAS_LIMIT);
        if (data.length > MAX_MESSAGE_DATA_SIZE) revert MessageDataTooLarge(data.length, MAX_MESSAGE_DATA_SIZE);
        if (gasLimit > MAX_REFUND_GAS_LIMIT && _isRefundRequest(to, data)) {
            revert GasLimitTooHigh(gasLimit, MAX_REFUND_GAS_LIMIT);
        }
        nonce = _queue.length;
        bytes32 hash = L1Message({
            nonce: nonce, from: msg.sender, to: to, value: msg.value, gasLimit: gasLimit, data: data
        }).hash();
        uint256 weight = _relayWeight(gasLimit, data.length);
        _queue.push(QueuedMessage({messageHash: hash, queuedAt: uint64(block.timestamp), weight: uint64(weight)}));
        emit MessageQueued(nonce, msg.sender, to, msg.value, gasLimit, data, hash);
        // Last, so that its gas check sees what the queueing really has left (no interaction follows).
        _burnForWeight(weight);
    }

    /// @dev Burns the L1 gas a message's weight costs beyond its own queueing:
    /// `(weight − FREE_MESSAGE_WEIGHT) × 2/3` (none for a deposit), by spinning until `gasleft()` has
    /// dropped by that much. A gas limit that cannot cover it reverts the whole queueing
    /// (`MessageBurnUnaffordable`): a message is never queued for less.
    /// @param weight The message's weight (`_relayWeight`).
    function _burnForWeight(uint256 weight) private view {
        if (weight <= FREE_MESSAGE_WEIGHT) return;
        uint256 burn = (weight - FREE_MESSAGE_WEIGHT) * BURN_PER_WEIGHT_NUMERATOR / BURN_PER_WEIGHT_DENOMINATOR;
        uint256 left = gasleft();
        if (left < burn + BURN_RESERVE_GAS) revert MessageBurnUnaffordable(weight, burn, left);
        uint256 until = left - burn;
        while (gasleft() > until) {}
    }

    /// @dev The weight of a message (`QueuedMessage.weight`): the gas limit `_checkRelay` requires
    /// of its relay in a block of up to 256 messages, whatever its place: its call's share and the
    /// overhead, and the calldata rate over its data padded to words, the ABI head and the longest
    /// proof. At most 13,005,930 (`MAX_MESSAGE_GAS_LIMIT`, 64 KB): it fits 64 bits.
    function _relayWeight(uint256 gasLimit, uint256 dataLength) private pure returns (uint256) {
        uint256 calldataBytes = (dataLength + 31) / 32 * 32 + RELAY_CALL_ABI_BYTES + RELAY_PROOF_BYTES;
        return gasLimit + gasLimit / 63 + RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * calldataBytes;
    }

    /// @dev Where the transaction list of an RLP block `[header, transactions, ...]` starts and ends.
    function _transactionList(bytes calldata block_, uint256 first) private pure returns (uint256 start, uint256 end) {
        (uint256 blockStart, uint256 blockLength, bool isList) = _rlpItem(block_, 0);
        if (!isList) revert RelayMissing(first, RelayFault.Malformed);
        (uint256 headerStart, uint256 headerLength,) = _rlpItem(block_, blockStart);
        (uint256 txsStart, uint256 txsLength, bool txsIsList) = _rlpItem(block_, headerStart + headerLength);
        if (!txsIsList || txsStart + txsLength > blockStart + blockLength) revert RelayMissing(first, RelayFault.Malformed);
        return (txsStart, txsStart + txsLength);
    }

    /// @dev One relay of `_checkRelays`: transaction `index` of the block relays or defers message `nonce`.
    function _checkRelay(bytes calldata envelope, uint256 nonce, uint256 index, bytes32 anchor, uint64 timestamp)
        private
        view
    {
        (bytes calldata data, uint256 gasLimit) = _relayCall(envelope, nonce);
        bytes4 selector = bytes4(data[:4]);
        bool deferred = selector == L2Bridge.deferMessage.selector;
        if (!deferred && selector != L2Bridge.relayMessage.selector) revert RelayMissing(nonce, RelayFault.WrongFunction);
        (L1Message memory message, uint64 anchorTimestamp, uint256 leafIndex, bytes32[] memory proof) =
            abi.decode(data[4:], (L1Message, uint64, uint256, bytes32[]));
        bytes32 hash = message.hash();
        if (hash != _queue[nonce].messageHash) revert RelayMissing(nonce, RelayFault.OtherMessage);
        if (anchorTimestamp != timestamp || leafIndex != index || !MessageTree.verify(anchor, hash, index, proof)) {
            revert RelayMissing(nonce, RelayFault.WrongAnchor);
        }
        if (deferred && _isRefundRequest(message.to, message.data)) revert RelayMissing(nonce, RelayFault.RefundDeferred);
        uint256 required = (deferred ? 0 : message.gasLimit + message.gasLimit / 63) + RELAY_OVERHEAD_GAS
            + RELAY_GAS_PER_CALLDATA_BYTE * data.length;
        if (gasLimit < required) revert RelayMissing(nonce, RelayFault.GasTooLow);
    }

    /// @dev The calldata and gas limit of a relay transaction `0x02 || rlp([chainId, nonce,
    /// maxPriorityFee, maxFee, gasLimit, to, value, data, accessList, v, r, s])`: an EIP-1559
    /// call of L2Bridge without value.
    function _relayCall(bytes calldata envelope, uint256 nonce)
        private
        pure
        returns (bytes calldata, uint256)
    {
        if (envelope.length < 2 || uint8(envelope[0]) != RELAY_TX_TYPE) revert RelayMissing(nonce, RelayFault.NotEip1559);
        bytes calldata payload = envelope[1:];
        // EXECUTE checks the transaction's encoding; this reads the fields a relay is judged by.
        _checkRelayTarget(payload, nonce);
        bytes calldata data = _txField(payload, TX_DATA_INDEX, nonce);
        if (data.length < 4) revert RelayMissing(nonce, RelayFault.WrongFunction);
        return (data, _bigEndian(_txField(payload, TX_GAS_LIMIT_INDEX, nonce), nonce));
    }

    /// @dev A relay calls L2Bridge and carries no value.
    function _checkRelayTarget(bytes calldata payload, uint256 nonce) private pure {
        bytes calldata to = _txField(payload, TX_TO_INDEX, nonce);
        if (to.length != 20 || address(bytes20(to)) != L2_BRIDGE_ADDRESS) revert RelayMissing(nonce, RelayFault.NotBridgeCall);
        if (_bigEndian(_txField(payload, TX_VALUE_INDEX, nonce), nonce) != 0) revert RelayMissing(nonce, RelayFault.CarriesValue);
    }

    /// @dev Field `index` (a byte string) of the RLP list `payload` of a transaction.
    function _txField(bytes calldata payload, uint256 index, uint256 nonce) private pure returns (bytes calldata) {
        (uint256 position, uint256 length, bool isList) = _rlpItem(payload, 0);
        if (!isList || position + length != payload.length) revert RelayMissing(nonce, RelayFault.Malformed);
        for (uint256 i; position < payload.length; ++i) {
            (uint256 start, uint256 itemLength, bool itemIsList) = _rlpItem(payload, position);
            if (i == index) {
                if (itemIsList) revert RelayMissing(nonce, RelayFault.Malformed);
                return payload[start:start + itemLength];
            }
            position = start + itemLength;
        }
        revert RelayMissing(nonce, RelayFault.Malformed);
    }

    /// @dev The RLP item at `position` of `b`: where its payload starts, its length, and whether it
    /// is a list. Reverts (slicing out of bounds) when the item runs past `b`.
    function _rlpItem(bytes calldata b, uint256 position) private pure returns (uint256 start, uint256 length, bool isList) {
        uint256 prefix = uint8(b[position]);
        if (prefix < 0x80) return (position, 1, false);
        if (prefix < 0xb8) {
            start = position + 1;
            length = prefix - 0x80;
        } else if (prefix < 0xc0) {
            uint256 lengthOfLength = prefix - 0xb7;
            start = position + 1 + lengthOfLength;
            length = _bigEndian(b[position + 1:start], type(uint256).max);
        } else if (prefix < 0xf8) {
            start = position + 1;
            length = prefix - 0xc0;
            isList = true;
        } else {
            uint256 lengthOfLength = prefix - 0xf7;
            start = position + 1 + lengthOfLength;
            length = _bigEndian(b[position + 1:start], type(uint256).max);
            isList = true;
        }
        if (start + length > b.length) revert RelayMissing(type(uint256).max, RelayFault.Malformed);
    }

    /// @dev Whether an L1 message calls `L2Bridge.refundMessage` (mirrors `L2Bridge.isRefundRequest`).
    function _isRefundRequest(address to, bytes memory data) private pure returns (bool) {
        return to == L2_BRIDGE_ADDRESS && data.length >= 4 && bytes4(data) == L2Bridge.refundMessage.selector;
    }

    /// @dev A big-endian integer of at most 32 bytes.
    function _bigEndian(bytes calldata b, uint256 nonce) private pure returns (uint256 value) {
        if (b.length > 32) revert RelayMissing(nonce, RelayFault.Malformed);
        if (b.length == 0) return 0;
        assembly ("memory-safe") {
            value := shr(sub(256, mul(8, b.length)), calldataload(b.offset))
        }
    }

    function _pendingMessagesRoot(uint256 first, uint256 count) private view returns (bytes32) {
        uint256 pending = _queue.length - first;
        if (count > pending) revert MessageCountExceedsQueue(count, pending);
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) leaves[i] = _queue[first + i].messageHash;
        return MessageTree.root(leaves);
    }

    function _queued(uint256 nonce) private view returns (QueuedMessage storage) {
        if (nonce >= _queue.length) revert UnknownMessage(nonce);
        return _queue[nonce];
    }
}
