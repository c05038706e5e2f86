// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2Message} from "../rollup/Messages.sol";
import {ProofPolicy} from "../rollup/ProofPolicy.sol";

/// @title INativeRollup
/// @notice The L1 contract of a native rollup as the node, the SDK and other contracts see it:
/// it keeps the L2 head, accepts each next L2 block the EXECUTE precompile verifies, queues
/// L1 → L2 messages that blocks must anchor, and finalizes L2 → L1 messages proven against
/// accepted L2 state roots. `NativeRollup` implements it; its events and errors are declared here.
/// @dev A message whose calldata is too large reverts with `MessageDataTooLarge` (RollupErrors.sol).
interface INativeRollup {
    /// @notice An L2 block was verified by EXECUTE and is the new head.
    /// @param number The block number.
    /// @param blockHash The block hash.
    /// @param stateRoot The block's post-state root.
    /// @param messagesConsumed How many queued L1 messages the block anchors.
    /// @param gasUsed L2 gas used by the block.
    /// @param burnedFees Wei of L2 base fee burned by the block.
    /// @param submitter The L1 account that submitted it.
    event BlockAdvanced(
        uint64 indexed number,
        bytes32 indexed blockHash,
        bytes32 stateRoot,
        uint256 messagesConsumed,
        uint64 gasUsed,
        uint256 burnedFees,
        address indexed submitter
    );

    /// @notice The bytes of a block `advance` accepted from a caller that is not the transaction's
    /// origin or has code (a contract, an EIP-7702-delegated account): such a caller may have built
    /// the block in memory, so its bytes may be in no calldata. Emitted right after `BlockAdvanced`
    /// so that every accepted block can be derived from L1 data (docs/design/derivability.md); a
    /// direct call by an account without code publishes the block in its calldata and emits none.
    /// @param number The block number.
    /// @param blockHash The block hash (keccak256 of the header, the first item of `block_`).
    /// @param block_ The block's RLP exactly as EXECUTE verified it.
    event BlockData(uint64 indexed number, bytes32 indexed blockHash, bytes block_);

    /// @notice An L1 → L2 message was queued.
    /// @param nonce Its position in the queue.
    /// @param from The L1 sender.
    /// @param to The L2 recipient.
    /// @param value Wei to release on L2 (held here meanwhile).
    /// @param gasLimit Gas of the L2 call.
    /// @param data Calldata of the L2 call.
    /// @param messageHash Its hash (a leaf of the anchored message tree).
    event MessageQueued(
        uint256 indexed nonce,
        address indexed from,
        address indexed to,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 messageHash
    );

    /// @notice The rollup's proof policy changed.
    /// @param threshold Distinct accepted keys whose proofs must verify.
    /// @param allowReexecution Whether EXECUTE may fall back to re-execution.
    /// @param acceptedKeys keccak256 of each accepted verification key.
    event ProofPolicySet(uint8 threshold, bool allowReexecution, bytes32[] acceptedKeys);

    /// @notice An L2 → L1 message was finalized: its value paid and its call made.
    /// @param messageHash The message's hash.
    /// @param nonce Its nonce on L2.
    /// @param to The L1 recipient.
    /// @param value Wei paid.
    event MessageFinalized(bytes32 indexed messageHash, uint256 indexed nonce, address indexed to, uint256 value);

    /// @notice The caller may not advance: it is not the sequencer and the sequencer is still active.
    /// @param caller The caller.
    /// @param openAt L1 timestamp from which anyone may advance.
    error NotSequencer(address caller, uint256 openAt);

    /// @notice `parentHeader` is not the header of the L2 head.
    error ParentNotHead(bytes32 parentHash, bytes32 headHash);

    /// @notice The block's anchor is not the root of the messages it claims to consume.
    error AnchorMismatch(bytes32 expected, bytes32 actual);

    /// @notice The block claims more messages than are queued.
    error MessageCountExceedsQueue(uint256 messageCount, uint256 pending);

    /// @notice The block consumes no message while the oldest unconsumed one is overdue.
    error OverdueMessageSkipped(uint256 nonce, uint64 queuedAt);

    /// @notice The block leaves the overdue message `nonce` unconsumed though its relay, of `weight`,
    /// fits the `remaining` of the block's overdue budget after the messages it consumed.
    error OverdueMessageLeft(uint256 nonce, uint256 weight, uint256 remaining);

    /// @notice What is wrong with the transaction where a block must relay a consumed message.
    /// @param NoTransaction The block has fewer transactions than messages it consumes.
    /// @param NotEip1559 Not an EIP-1559 transaction.
    /// @param Malformed The block or the transaction does not decode.
    /// @param NotBridgeCall It does not call L2Bridge.
    /// @param CarriesValue It sends value (relays are not payable).
    /// @param WrongFunction Neither `relayMessage` nor `deferMessage`.
    /// @param OtherMessage It relays another message than the queued one.
    /// @param WrongAnchor Its anchor timestamp, index or proof is not this block's.
    /// @param RefundDeferred It defers a refund request.
    /// @param GasTooLow It has less gas than the message is owed (`gasLimit + gasLimit / 63 +
    /// RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE × calldata bytes`; a deferral: the last two).
    enum RelayFault {
        NoTransaction,
        NotEip1559,
        Malformed,
        NotBridgeCall,
        CarriesValue,
        WrongFunction,
        OtherMessage,
        WrongAnchor,
        RefundDeferred,
        GasTooLow
    }

    /// @notice The block does not start with a relay (or deferral) of consumed message `nonce`.
    /// @param nonce The message.
    /// @param fault What is wrong with the block's transaction at that position.
    error RelayMissing(uint256 nonce, RelayFault fault);

    /// @notice The block's timestamp is ahead of the L1's.
    error BlockFromFuture(uint64 blockTimestamp, uint256 l1Timestamp);

    /// @notice The queueing's gas left cannot cover the L1 gas its message's weight costs.
    /// @param weight The message's weight (the most L2 gas its relay may need).
    /// @param burn L1 gas the weight costs beyond the queueing's own work.
    /// @param gasLeft Gas the queueing had left when it was to burn (at least `burn` + 5,000 needed).
    error MessageBurnUnaffordable(uint256 weight, uint256 burn, uint256 gasLeft);

    /// @notice A message's gas limit exceeds `MAX_MESSAGE_GAS_LIMIT`.
    error GasLimitTooHigh(uint256 gasLimit, uint256 maxGasLimit);

    /// @notice The block's gas limit is below `MIN_L2_GAS_LIMIT`, the least that carries the relay
    /// of any one message alone (the largest refund request, which no block may defer).
    error L2GasLimitTooLow(uint256 gasLimit, uint256 minimum);

    /// @notice No queued message has this nonce.
    error UnknownMessage(uint256 nonce);

    /// @notice The L2 block has not been accepted.
    error BlockNotAccepted(uint64 number);

    /// @notice The proofs do not show L2Bridge's sent-messages entry for the message as set.
    error MessageNotSent(bytes32 messageHash);

    /// @notice The message was already finalized.
    error AlreadyFinalized(bytes32 messageHash);

    /// @notice The message's L1 call reverted; the finalization is undone and can be retried.
    error MessageCallFailed(bytes32 messageHash, bytes returnData);


    /// @notice Accepts the next L2 block, verified by EXECUTE, as the new head.
    /// @param parentHeader RLP of the current head's header.
    /// @param block_ RLP of the L2 block.
    /// @param witness Stateless witness of the block's pre-state.
    /// @param proofs `abi.encode(ExecutionProof[])` checked against this rollup's proof policy;
    /// empty to re-execute from `witness`.
    /// @param consumedMessages How many queued messages the block consumes (from `nextMessageIndex`);
    /// its `parentBeaconBlockRoot` must be their MessageTree root.
    function advance(
        bytes calldata parentHeader,
        bytes calldata block_,
        bytes calldata witness,
        bytes calldata proofs,
        uint256 consumedMessages
    ) external;

    /// @notice Queues an L1 → L2 message that credits `to` with `msg.value` on L2.
    /// @param to The L2 recipient.
    /// @return nonce The message's position in the queue.
    function depositETH(address to) external payable returns (uint256 nonce);

    /// @notice Queues an L1 → L2 message that calls `to` on L2 with `data` and `msg.value`. A message
    /// weighing more than a deposit (its gas limit and data: the most L2 gas its relay may need) burns
    /// 2/3 L1 gas per weight above a deposit's, so the L1 cost of the blocks of delay it can impose on
    /// later messages is paid by its sender (NativeRollup.FREE_MESSAGE_WEIGHT).
    /// @param to The L2 recipient.
    /// @param gasLimit Gas of the L2 call (at most `MAX_MESSAGE_GAS_LIMIT`).
    /// @param data Calldata of the L2 call (at most `MAX_MESSAGE_DATA_SIZE` bytes).
    /// @return nonce The message's position in the queue.
    function sendMessage(address to, uint256 gasLimit, bytes calldata data) external payable returns (uint256 nonce);

    /// @notice Backs the L2 genesis allocation with ETH held here.
    function depositGenesisSupply() external payable;

    /// @notice Pays out an L2 → L1 message proven against an accepted L2 block's state root.
    /// @param l2BlockNumber An accepted L2 block at or after the one that sent the message.
    /// @param message The message.
    /// @param accountProof Merkle-Patricia proof of L2Bridge's account in that block's state.
    /// @param storageProof Proof of L2Bridge's sent-messages entry for the message.
    function finalizeMessage(
        uint64 l2BlockNumber,
        L2Message calldata message,
        bytes[] calldata accountProof,
        bytes[] calldata storageProof
    ) external;

    /// @notice How many L1 → L2 messages were ever queued.
    function messageCount() external view returns (uint256);

    /// @notice The hash of queued message `nonce`.
    function messageHash(uint256 nonce) external view returns (bytes32);

    /// @notice The L1 timestamp at which message `nonce` was queued.
    function messageQueuedAt(uint256 nonce) external view returns (uint64);

    /// @notice The L2 sender of the message being finalized (`DEFAULT_CROSS_DOMAIN_SENDER` outside one).
    function l2Sender() external view returns (address);

    /// @notice The proof policy EXECUTE applies to this rollup's blocks when proofs are supplied.
    function proofPolicy() external view returns (ProofPolicy memory);

    /// @notice L1 timestamp from which anyone may advance, unless the sequencer advances first.
    function openSequencingAt() external view returns (uint256);

    /// @notice Hash of the L2 head.
    function headHash() external view returns (bytes32);

    /// @notice Number of the L2 head.
    function headNumber() external view returns (uint64);

    /// @notice L1 timestamp of the last accepted block that left no message overdue.
    function lastAdvanceTimestamp() external view returns (uint64);

    /// @notice The first queued message no accepted block has consumed.
    function nextMessageIndex() external view returns (uint256);

    /// @notice The post-state root of accepted L2 block `number`.
    function stateRootOf(uint64 number) external view returns (bytes32);

    /// @notice Whether L2 → L1 message `messageHash` was finalized.
    function finalized(bytes32 messageHash) external view returns (bool);

    /// @notice Wei backing the L2 genesis allocation.
    function genesisSupply() external view returns (uint256);

    /// @notice The L2 chain id.
    function L2_CHAIN_ID() external view returns (uint64);

    /// @notice The permissioned sequencer.
    function SEQUENCER() external view returns (address);
}
