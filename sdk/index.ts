/**
 * The native-rollup SDK: ethers v6 and the TypeChain bindings, nothing else (no Hardhat, no
 * files, no environment). Start with `new RollupClient({ l1, l2, rollupAddress })`.
 */
export {
  RollupClient,
  type DepositParams,
  type L2Heads,
  type StatusOptions,
  type L2BlockTarget,
  type MessageRef,
  type RollupClientOptions,
  type SendMessageParams,
  type SendMessageToL1Params,
  type WaitForStatusOptions,
  type WithdrawParams,
} from "./client";
export { type CrossDomainWaitOptions, type RelayedCall, callL2AndWait, sendToL1AndFinalize } from "./crossDomain";
export {
  DEFAULT_CROSS_DOMAIN_SENDER,
  DEFAULT_MESSAGE_GAS_LIMIT,
  DEFAULT_POLLING_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  L2_BRIDGE_ADDRESS,
  hashL1Message,
  hashL2Message,
} from "./constants";
export {
  ExampleRollup__factory,
  L2Bridge__factory,
  NativeRollup__factory,
  OptimisticExampleRollup__factory,
  ProvenRollup__factory,
  connectL2Bridge,
  connectNativeRollup,
  type ExampleRollup,
  type L2Bridge,
  type NativeRollup,
  type OptimisticExampleRollup,
  type ProvenRollup,
} from "./contracts";
export {
  AlreadyFinalizedError,
  FinalizationFailedError,
  InvalidArgumentError,
  MessageFailedError,
  MessageNotFoundError,
  NodeRpcError,
  NotProvableYetError,
  RollupSdkError,
  type RollupSdkErrorCode,
  SignerRequiredError,
  TransactionFailedError,
  WaitTimeoutError,
} from "./errors";
export type { L1ToL2Message, L2ToL1Message, RollupMessage } from "./messages";
export {
  type NodeL1Health,
  type NodeL1ToL2Status,
  describeL1Health,
  type NodeWithdrawalProof,
  type RollupNodeRpc,
  type RollupNodeStatus,
  nodeRpcErrorFrom,
} from "./nodeRpc";
export { decodeRevertReason } from "./revert";
export type { RollupStatus } from "./rollupStatus";
export { NotARollupError, assertRollupContract } from "./rollupProbe";
export type { Runner } from "./runners";
export {
  L1_TO_L2_STATUSES,
  L2_BLOCK_TAGS,
  L2_TO_L1_STATUSES,
  type L2BlockTag,
  describeStatus,
  type L1ToL2Status,
  type L1ToL2StatusReport,
  type L2ToL1Status,
  type L2ToL1StatusReport,
  type MessageStatus,
  type MessageStatusReport,
} from "./status";
export type { WaitOptions } from "./wait";
export type { FinalizedWithdrawal, WithdrawalProof } from "./withdrawals";
