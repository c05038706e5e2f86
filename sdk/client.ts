/**
 * RollupClient: one object for both layers of a native rollup. Built from an L1 runner, an L2
 * runner (ethers Signers to send, Providers to only read) and the rollup contract's address; the
 * L2Bridge predeploy's address comes from the project's constants.
 */
import {
  type Block,
  type ContractTransactionResponse,
  type Interface,
  type Provider,
  type TransactionReceipt,
  getAddress,
  isHexString,
} from "ethers";

import {
  DEFAULT_MESSAGE_GAS_LIMIT,
  DEFAULT_POLLING_INTERVAL_MS,
  DEFAULT_RECEIPT_TIMEOUT_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  L2_BRIDGE_ADDRESS,
} from "./constants";
import {
  type IL2Bridge,
  type INativeRollup,
  L2_BRIDGE_ABI_INTERFACE,
  NATIVE_ROLLUP_INTERFACE,
  connectL2Bridge,
  connectNativeRollup,
} from "./contracts";
import { InvalidArgumentError, MessageFailedError, RollupSdkError, TransactionFailedError } from "./errors";
import {
  type L1ToL2Message,
  type L2ToL1Message,
  type RollupMessage,
  findMessage,
  queuedMessageOf,
  sentMessageOf,
} from "./messages";
import { RollupNodeRpc, nodeRpcErrorFrom } from "./nodeRpc";
import { decodeRevertReason } from "./revert";
import { assertRollupContract } from "./rollupProbe";
import { type RollupStatus, readRollupStatus } from "./rollupStatus";
import { type Runner, type RpcSender, providerOf, rpcSenderOf, signerOf } from "./runners";
import {
  type L1ToL2Status,
  type L1ToL2StatusReport,
  type L2ToL1Status,
  type L2ToL1StatusReport,
  type MessageStatus,
  type L2BlockTag,
  L2_BLOCK_TAGS,
  type MessageStatusReport,
  type StatusSources,
  describeStatus,
  messageStatus,
  statusRank,
} from "./status";
import { type WaitOptions, poll, waitForReceipt } from "./wait";
import {
  type FinalizedWithdrawal,
  type WithdrawalProof,
  assertFinalizable,
  fetchWithdrawalProof,
  finalizeWithdrawal,
} from "./withdrawals";

export interface RollupClientOptions {
  /** L1: a Signer to deposit, send messages and finalize; a Provider to only read. */
  readonly l1: Runner;
  /** L2 (the rollup node's JSON-RPC): a Signer to withdraw and send messages to L1. */
  readonly l2: Runner;
  /** The rollup contract (any NativeRollup) on L1. */
  readonly rollupAddress: string;
  /** The L2Bridge predeploy; the project's constant by default. */
  readonly l2BridgeAddress?: string;
  /** First L1 block to scan when a message is looked up by its message hash (the rollup's deployment block; 0 by default). */
  readonly l1FromBlock?: bigint;
  /** Milliseconds between polls of receipts, statuses and blocks (250 by default). */
  readonly pollingIntervalMs?: number;
  /** How long a sent transaction may take to be mined (60 s by default). */
  readonly receiptTimeoutMs?: number;
}

export interface DepositParams {
  /** The L2 recipient; the L1 signer's address by default. */
  readonly to?: string;
  /** Wei to deposit. */
  readonly amount: bigint;
}

export interface SendMessageParams {
  /** The L2 account to call. */
  readonly to: string;
  /** Calldata of the L2 call. */
  readonly data: string;
  /** Wei sent along (released to `to` on L2). */
  readonly value?: bigint;
  /**
   * Gas of the L2 call; DEFAULT_MESSAGE_GAS_LIMIT by default. Not free on L1: a message weighing
   * more than a deposit (≈ its gas limit plus 40 per byte of data) burns 2/3 L1 gas per unit above
   * a deposit's when queued (NativeRollup's `_burnForWeight`); the L1 transaction's gas estimate
   * includes it (≈ 68,000 L1 gas at the default, ≈ 0.68 per gas of a larger limit).
   */
  readonly gasLimit?: bigint;
}

export interface WithdrawParams {
  /** The L1 recipient; the L2 signer's address by default. */
  readonly to?: string;
  /** Wei to withdraw. */
  readonly amount: bigint;
}

export interface SendMessageToL1Params {
  /** The L1 account to call (with the rollup's l2Sender() = the L2 sender). */
  readonly to: string;
  readonly data: string;
  readonly value?: bigint;
}

export interface WaitForStatusOptions<R extends MessageStatusReport = MessageStatusReport>
  extends WaitOptions,
    StatusOptions {
  /** Called with each new status (for progress output). */
  readonly onStatus?: (report: R) => void;
}

export interface StatusOptions {
  /**
   * The L2 block an L1 → L2 message's relay is read at: "latest" (default) reports it relayed as
   * soon as the node's block has it; "safe" only once L1 accepted that block, "finalized" once
   * that acceptance is in a final L1 block. (L2 → L1 statuses always rest on L1's accepted head.)
   */
  readonly l2BlockTag?: L2BlockTag;
}

/** The L2 blocks the node's head tags name. */
export interface L2Heads {
  readonly latest: Block;
  readonly safe: Block;
  readonly finalized: Block;
}

/** A block number to reach, or a test every new L2 block is given until one passes. */
export type L2BlockTarget = bigint | number | ((block: Block) => boolean | Promise<boolean>);

/** A message, or a hash naming one: its message hash or the hash of the transaction that sent it. */
export type MessageRef = RollupMessage | string;

export class RollupClient {
  /** The rollup contract on L1, connected to the L1 runner. */
  readonly rollup: INativeRollup;
  /** L2Bridge on L2, connected to the L2 runner. */
  readonly l2Bridge: IL2Bridge;
  readonly l1Provider: Provider;
  readonly l2Provider: Provider;
  readonly rollupAddress: string;
  readonly l2BridgeAddress: string;
  /** The L2 node's rollup_* methods. */
  readonly node: RollupNodeRpc;

  private readonly l2Rpc: RpcSender | undefined;
  private readonly pollingIntervalMs: number;
  private readonly receiptTimeoutMs: number;
  private readonly l1FromBlock: bigint;
  private rollupChecked: Promise<void> | undefined;

  constructor(private readonly options: RollupClientOptions) {
    if (!isHexString(options.rollupAddress, 20))
      throw new InvalidArgumentError(
        `rollupAddress ${String(options.rollupAddress)} is not an address`,
        "pass the rollup contract's L1 address (the devnet prints it and writes .devnet/rollup.json)",
      );
    this.rollupAddress = getAddress(options.rollupAddress);
    this.l2BridgeAddress = getAddress(options.l2BridgeAddress ?? L2_BRIDGE_ADDRESS);
    this.l1Provider = providerOf(options.l1, "L1");
    this.l2Provider = providerOf(options.l2, "L2");
    this.rollup = connectNativeRollup(this.rollupAddress, options.l1);
    this.l2Bridge = connectL2Bridge(this.l2BridgeAddress, options.l2);
    this.l2Rpc = rpcSenderOf(this.l2Provider);
    this.node = new RollupNodeRpc(this.l2Rpc);
    this.pollingIntervalMs = options.pollingIntervalMs ?? DEFAULT_POLLING_INTERVAL_MS;
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS;
    this.l1FromBlock = options.l1FromBlock ?? 0n;
  }

  // ---------------------------------------------------------------------------------------------
  // L1 → L2
  // ---------------------------------------------------------------------------------------------

  /** Deposits `amount` wei for `to` on L2 (rollup.depositETH); resolves once queued on L1. */
  async deposit(params: DepositParams): Promise<L1ToL2Message> {
    const signer = signerOf(this.options.l1, "L1", "deposit");
    const to = getAddress(params.to ?? (await signer.getAddress()));
    await this.assertRollup();
    const rollup = connectNativeRollup(this.rollupAddress, signer);
    const receipt = await this.send("L1", NATIVE_ROLLUP_INTERFACE, () =>
      rollup.depositETH(to, { value: params.amount }),
    );
    return queuedMessageOf(receipt, this.rollupAddress);
  }

  /** Queues a call of `to` on L2 (rollup.sendMessage); resolves once queued on L1. */
  async sendMessage(params: SendMessageParams): Promise<L1ToL2Message> {
    const signer = signerOf(this.options.l1, "L1", "sendMessage");
    await this.assertRollup();
    const rollup = connectNativeRollup(this.rollupAddress, signer);
    const receipt = await this.send("L1", NATIVE_ROLLUP_INTERFACE, () =>
      rollup.sendMessage(getAddress(params.to), params.gasLimit ?? DEFAULT_MESSAGE_GAS_LIMIT, params.data, {
        value: params.value ?? 0n,
      }),
    );
    return queuedMessageOf(receipt, this.rollupAddress);
  }

  /** Before value goes to the rollup address: is a rollup there? Checked once per client. */
  private assertRollup(): Promise<void> {
    this.rollupChecked ??= assertRollupContract(this.l1Provider, this.rollupAddress).catch((error: unknown) => {
      this.rollupChecked = undefined; // a network failure must not stick
      throw error;
    });
    return this.rollupChecked;
  }

  // ---------------------------------------------------------------------------------------------
  // L2 → L1
  // ---------------------------------------------------------------------------------------------

  /** Withdraws `amount` wei to `to` on L1 (L2Bridge.withdraw); resolves once mined on L2. */
  async withdraw(params: WithdrawParams): Promise<L2ToL1Message> {
    const signer = signerOf(this.options.l2, "L2", "withdraw");
    const to = getAddress(params.to ?? (await signer.getAddress()));
    const bridge = connectL2Bridge(this.l2BridgeAddress, signer);
    const receipt = await this.send("L2", L2_BRIDGE_ABI_INTERFACE, () => bridge.withdraw(to, { value: params.amount }));
    return sentMessageOf(receipt, this.l2BridgeAddress);
  }

  /** Sends a call of `to` on L1 (L2Bridge.sendMessageToL1); resolves once mined on L2. */
  async sendMessageToL1(params: SendMessageToL1Params): Promise<L2ToL1Message> {
    const signer = signerOf(this.options.l2, "L2", "sendMessageToL1");
    const bridge = connectL2Bridge(this.l2BridgeAddress, signer);
    const receipt = await this.send("L2", L2_BRIDGE_ABI_INTERFACE, () =>
      bridge.sendMessageToL1(getAddress(params.to), params.data, { value: params.value ?? 0n }),
    );
    return sentMessageOf(receipt, this.l2BridgeAddress);
  }

  /** The WithdrawalProof of an L2 → L1 message against the latest accepted L2 block. */
  async getWithdrawalProof(ref: L2ToL1Message | string): Promise<WithdrawalProof> {
    const message = await this.l2ToL1(ref, "getWithdrawalProof");
    await assertFinalizable(this.rollup, message);
    return fetchWithdrawalProof(this.node, this.l2Rpc, message, await this.rollup.headNumber(), this.l2BridgeAddress);
  }

  /**
   * Finalizes an L2 → L1 message on L1: pays its value and makes its call. Needs an L1 signer.
   * Throws NotProvableYetError before its L2 block is accepted, AlreadyFinalizedError after.
   */
  async finalizeWithdrawal(ref: L2ToL1Message | string): Promise<FinalizedWithdrawal> {
    const signer = signerOf(this.options.l1, "L1", "finalizeWithdrawal");
    const message = await this.l2ToL1(ref, "finalizeWithdrawal");
    return finalizeWithdrawal(
      {
        rollup: connectNativeRollup(this.rollupAddress, signer),
        node: this.node,
        l2Rpc: this.l2Rpc,
        waitReceipt: (hash) => this.receipt("L1", hash),
      },
      message,
    );
  }

  /**
   * Runs a failed L1 → L2 message's call again on L2 (L2Bridge.retryMessage, with its full gas
   * limit; anyone may, once the call can succeed). Needs an L2 signer. Throws
   * InvalidArgumentError when the message is not failed, and TransactionFailedError with the
   * call's decoded revert when it fails again (the message then stays failed, its value held).
   */
  async retryMessage(ref: L1ToL2Message | string): Promise<TransactionReceipt> {
    const signer = signerOf(this.options.l2, "L2", "retryMessage");
    const message = await this.resolve(ref);
    if (message.direction !== "l1ToL2")
      throw new InvalidArgumentError(
        `retryMessage takes an L1 → L2 message; ${message.messageHash} is an L2 → L1 message`,
        "an L2 → L1 message is finalized on L1: finalizeWithdrawal(message)",
      );
    const report = await messageStatus(this.statusSources(), message);
    if (report.status !== "failed") {
      throw new InvalidArgumentError(
        `L1 → L2 message #${message.nonce} is ${report.status}, not failed: there is nothing to retry`,
        report.status === "queued" || report.status === "anchored"
          ? "wait for its relay: waitForMessageStatus(message, 'relayed')"
          : "only a message whose L2 call failed can be retried",
      );
    }
    const bridge = connectL2Bridge(this.l2BridgeAddress, signer);
    const struct = {
      nonce: message.nonce,
      from: message.from,
      to: message.to,
      value: message.value,
      gasLimit: message.gasLimit,
      data: message.data,
    };
    return this.send("L2", L2_BRIDGE_ABI_INTERFACE, () => bridge.retryMessage(struct));
  }

  // ---------------------------------------------------------------------------------------------
  // Messages and their status
  // ---------------------------------------------------------------------------------------------

  /** The message a hash names: a message hash, or the hash of the L1/L2 transaction that sent it. */
  async getMessage(hash: string): Promise<RollupMessage> {
    if (!isHexString(hash, 32))
      throw new InvalidArgumentError(
        `${hash} is not a 32-byte hash`,
        "pass a message hash or a transaction hash (0x + 64 hex digits)",
      );
    return findMessage(
      {
        l1: this.l1Provider,
        l2: this.l2Provider,
        rollupAddress: this.rollupAddress,
        l2BridgeAddress: this.l2BridgeAddress,
        l1FromBlock: this.l1FromBlock,
      },
      hash,
    );
  }

  /** Where a message stands: queued/anchored/relayed (L1 → L2) or initiated/provable/finalized (L2 → L1). */
  async getMessageStatus(message: L1ToL2Message, options?: StatusOptions): Promise<L1ToL2StatusReport>;
  async getMessageStatus(message: L2ToL1Message, options?: StatusOptions): Promise<L2ToL1StatusReport>;
  async getMessageStatus(ref: MessageRef, options?: StatusOptions): Promise<MessageStatusReport>;
  async getMessageStatus(ref: MessageRef, options: StatusOptions = {}): Promise<MessageStatusReport> {
    return messageStatus(this.statusSources(options), await this.resolve(ref));
  }

  /** Waits until the message reaches `status` (or a later one); WaitTimeoutError after `timeoutMs`. */
  async waitForMessageStatus(
    message: L1ToL2Message,
    status: L1ToL2Status,
    options?: WaitForStatusOptions<L1ToL2StatusReport>,
  ): Promise<L1ToL2StatusReport>;
  async waitForMessageStatus(
    message: L2ToL1Message,
    status: L2ToL1Status,
    options?: WaitForStatusOptions<L2ToL1StatusReport>,
  ): Promise<L2ToL1StatusReport>;
  async waitForMessageStatus(
    ref: MessageRef,
    status: MessageStatus,
    options?: WaitForStatusOptions,
  ): Promise<MessageStatusReport>;
  async waitForMessageStatus(
    ref: MessageRef,
    status: MessageStatus,
    options: WaitForStatusOptions = {},
  ): Promise<MessageStatusReport> {
    const message = await this.resolve(ref);
    const target = statusRank(message.direction, status);
    const sources = this.statusSources(options);
    let last: string | undefined;
    return poll(
      `message ${message.messageHash} to be ${status}`,
      async () => {
        const report = await messageStatus(sources, message);
        if (report.status !== last) options.onStatus?.(report);
        last = report.status;
        // A failed message will not become "relayed" by waiting: say so now, with what to do.
        if (
          report.direction === "l1ToL2" &&
          (report.status === "failed" || report.status === "refunded") &&
          report.status !== status &&
          status !== "anchored" &&
          status !== "queued"
        ) {
          throw new MessageFailedError(report.message.nonce, report.status, report.failureReason, report.revertReason);
        }
        return statusRank(message.direction, report.status) >= target
          ? { done: true, value: report }
          : { done: false, seen: describeStatus(report) };
      },
      {
        timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
        intervalMs: options.pollingIntervalMs ?? this.pollingIntervalMs,
        hint: () => waitHint(message, status),
      },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Blocks and the rollup
  // ---------------------------------------------------------------------------------------------

  /**
   * Waits for L2 block `n`, or for the first L2 block (from the current head on) that `predicate`
   * accepts; resolves with that block. WaitTimeoutError after `timeoutMs`.
   */
  async waitForL2Block(target: L2BlockTarget, options: WaitOptions = {}): Promise<Block> {
    const intervalMs = options.pollingIntervalMs ?? this.pollingIntervalMs;
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const hint = (seen: string): string =>
      `the L2 node is at ${seen}; the devnet's sequencer makes a block only when it has a transaction or an L1 message to include (npm run devnet -- --empty-blocks makes one every block time), so send something or check the node is running`;
    if (typeof target !== "function") {
      const wanted = BigInt(target);
      return poll(
        `L2 block ${wanted}`,
        async () => {
          const head = BigInt(await this.l2Provider.getBlockNumber());
          if (head < wanted) return { done: false, seen: `block ${head}` };
          return { done: true, value: await this.l2Block(wanted) };
        },
        { timeoutMs, intervalMs, hint },
      );
    }
    let next = BigInt(await this.l2Provider.getBlockNumber());
    return poll(
      "an L2 block that passes the predicate",
      async () => {
        const head = BigInt(await this.l2Provider.getBlockNumber());
        for (; next <= head; next += 1n) {
          const block = await this.l2Block(next);
          if (await target(block)) return { done: true, value: block };
        }
        return { done: false, seen: `block ${head}` };
      },
      { timeoutMs, intervalMs, hint },
    );
  }

  /**
   * The L2 block `tag` names on the node: "latest" (its newest), "safe" (accepted on L1),
   * "finalized" (accepted in a final L1 block), or a block number.
   */
  async getL2Block(tag: L2BlockTag | bigint | number = "latest"): Promise<Block> {
    const blockTag = checkedTag(tag);
    const block = await this.l2Provider.getBlock(blockTag);
    if (block === null)
      throw new RollupSdkError(
        "NODE_RPC",
        `the L2 node has no block ${String(tag)}`,
        typeof tag === "string"
          ? "the node may not support the tag (safe and finalized need a rollup node)"
          : "wait for it with waitForL2Block",
      );
    return block;
  }

  /** The node's latest, safe and finalized L2 blocks. */
  async getL2Heads(): Promise<L2Heads> {
    const [latest, safe, finalized] = await Promise.all(L2_BLOCK_TAGS.map((tag) => this.getL2Block(tag)));
    return { latest, safe, finalized };
  }

  /** `address`'s L2 balance at the block `tag` names (a balance at "safe" is one L1 has accepted). */
  async getL2Balance(address: string, tag: L2BlockTag | bigint | number = "latest"): Promise<bigint> {
    if (!isHexString(address, 20))
      throw new InvalidArgumentError(`${String(address)} is not an address`, "pass a 20-byte hex address");
    return this.l2Provider.getBalance(address, checkedTag(tag));
  }

  /** Both heads, the L2 head accepted on L1, the L1 → L2 queue, and the node's batch submitter. */
  async getRollupStatus(): Promise<RollupStatus> {
    return readRollupStatus({
      rollup: this.rollup,
      rollupAddress: this.rollupAddress,
      l1: this.l1Provider,
      l2: this.l2Provider,
      node: this.node,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Internals
  // ---------------------------------------------------------------------------------------------

  private statusSources(options: StatusOptions = {}): StatusSources {
    return {
      rollup: this.rollup,
      l2Bridge: this.l2Bridge,
      node: this.node,
      l2BlockTag: checkedTag(options.l2BlockTag ?? "latest") as L2BlockTag,
    };
  }

  private async resolve(ref: MessageRef): Promise<RollupMessage> {
    return typeof ref === "string" ? this.getMessage(ref) : ref;
  }

  private async l2ToL1(ref: L2ToL1Message | string, action: string): Promise<L2ToL1Message> {
    const message = await this.resolve(ref);
    if (message.direction !== "l2ToL1")
      throw new InvalidArgumentError(
        `${action} takes an L2 → L1 message; ${message.messageHash} is an L1 → L2 message`,
        "L1 → L2 messages are relayed on L2 by the node: wait with waitForMessageStatus(m, 'relayed')",
      );
    return message;
  }

  private async l2Block(number: bigint): Promise<Block> {
    const block = await this.l2Provider.getBlock(number);
    if (block === null)
      throw new RollupSdkError(
        "NODE_RPC",
        `the L2 node reported block ${number} but does not return it`,
        "the node may have restarted from an earlier state; retry",
      );
    return block;
  }

  private receipt(layer: "L1" | "L2", hash: string): Promise<TransactionReceipt> {
    return waitForReceipt(layer === "L1" ? this.l1Provider : this.l2Provider, layer, hash, {
      timeoutMs: this.receiptTimeoutMs,
      intervalMs: this.pollingIntervalMs,
    });
  }

  /** Sends a transaction and waits for its receipt; a revert at estimation comes back decoded. */
  private async send(
    layer: "L1" | "L2",
    abi: Interface,
    submit: () => Promise<ContractTransactionResponse>,
  ): Promise<TransactionReceipt> {
    let response: ContractTransactionResponse;
    try {
      response = await submit();
    } catch (error) {
      // A node's refusal (its pool, a follower, a halt) is the node's error with its code and hint;
      // a revert (or another halt) at estimation is the contract's, decoded.
      const refused = nodeRpcErrorFrom(error);
      if (refused !== undefined && refused.nodeCode !== "EXECUTION_REVERTED") throw refused;
      throw new TransactionFailedError(layer, undefined, describeRevert(error, abi));
    }
    return this.receipt(layer, response.hash);
  }
}

/** What to do when a message does not reach `status` in time. */
function waitHint(message: RollupMessage, status: MessageStatus): string {
  if (message.direction === "l1ToL2") {
    return status === "relayed"
      ? "the anchoring L2 block starts with the message's relay (L1 requires it); if the message is still queued or anchored, check the L2 node is running and watching this rollup"
      : "the sequencer anchors queued messages in its next L2 block; check the L2 node is running and watching this rollup address";
  }
  return status === "finalized"
    ? "a message is finalized only when someone calls finalizeWithdrawal(message) on L1"
    : "L1 has not accepted the message's L2 block yet; check the node's batch submitter (getRollupStatus().submitter) and retry with a longer timeoutMs";
}

/** An ethers send error in one line, with the contract's custom error decoded when there is one. */
function describeRevert(error: unknown, abi: Interface): string {
  const data = (error as { data?: unknown } | null)?.data;
  if (typeof data === "string" && isHexString(data) && data.length >= 10) {
    const parsed = abi.parseError(data);
    // A retried message's call failed again: say why the call failed, not only that it did.
    if (parsed?.name === "MessageCallFailed")
      return `its L2 call reverted again: ${decodeRevertReason(parsed.args[1] as string)}`;
    if (parsed !== null) return `${parsed.name}(${[...parsed.args].map(String).join(", ")})`;
  }
  const shortMessage = (error as { shortMessage?: unknown } | null)?.shortMessage;
  if (typeof shortMessage === "string") return shortMessage;
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}

/** `tag` as ethers takes it, refused early when it is neither a head tag nor a block number. */
function checkedTag(tag: L2BlockTag | bigint | number): L2BlockTag | number {
  if (typeof tag === "string") {
    if (!L2_BLOCK_TAGS.includes(tag))
      throw new InvalidArgumentError(
        `"${String(tag)}" is not an L2 block tag`,
        `use one of ${L2_BLOCK_TAGS.join(", ")} or a block number`,
      );
    return tag;
  }
  const n = BigInt(tag);
  if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InvalidArgumentError(`${String(tag)} is not an L2 block number`, "pass a block number >= 0");
  return Number(n);
}
