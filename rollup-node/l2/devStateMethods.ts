import { type TypedTransaction, type TypedTxData, createTx } from "@ethereumjs/tx";
import { Address, bytesToHex } from "@ethereumjs/util";

import type { AccountPatch, Chain } from "../chain/chain";
import { MAX_DEV_TIMESTAMP } from "../chain/chain";
import { MAX_DEV_BALANCE, MAX_DEV_CODE_SIZE, MAX_DEV_NONCE } from "../chain/devControls";
import { DevTimestampCapError, TransactionRejectedError } from "../chain/errors";
import type { TransactionRequest } from "../rpc/backend";
import { invalidParams } from "../rpc/errors";
import { data, parseAddress, parseData, parseQuantity, parseSlot, quantity } from "../rpc/hex";
import { SUGGESTED_PRIORITY_FEE } from "../rpc/methods/eth";
import type { MethodHandler, MethodTable } from "../rpc/methods/types";
import { parseTransactionRequest } from "../rpc/params";
import type { L1Detachment } from "./detachment";

/**
 * web3_clientVersion of an L2 devnet (a node serving the dev methods). Like the L1 devnet's: the
 * network helpers (loadFixture, time, setBalance) run only against a client whose version starts
 * with "HardhatNetwork" or "anvil", and this node answers what they call.
 */
export const L2_DEVNET_CLIENT_VERSION = "HardhatNetwork/2.29.1/native-rollup-l2-devnet/0.1.0";

/** What the state-patching dev methods need of the L2 node (the sequencer). */
export interface DevStateNode {
  readonly chain: Chain;
  /** Drops every block after `keep` for good; `restore` moves the chain back under the node's locks. */
  dropBlocksAfter(keep: bigint, restore: () => Promise<void>): Promise<void>;
  /** Admits a transaction to the pool; its hash. */
  submitTransaction(tx: TypedTransaction): Promise<Uint8Array>;
  /** The nonce the sender's next transaction carries, pooled ones counted. */
  pendingNonce(address: Uint8Array): Promise<bigint>;
  /** Produces one block now (at `timestamp` when given). */
  produceBlock(options: { timestamp?: bigint }): Promise<unknown>;
}

/**
 * Signs impersonated transactions. Any well-formed signature does (the sender is overridden, see
 * `impersonatedTransaction`); this key is public and holds nothing on purpose.
 */
const IMPERSONATION_SIGNING_KEY = new Uint8Array(32).fill(1);

/**
 * A transaction "from" `request.from` without its key (hardhat_impersonateAccount): nonce, gas and
 * fees filled as for a dev account, signed by a throwaway key, its sender overridden in memory
 * (how the chain's own call simulation runs a request without a key). The block that holds it
 * carries a signature that recovers to another account: no one else can re-execute it.
 */
async function impersonatedTransaction(node: DevStateNode, request: TransactionRequest): Promise<TypedTransaction> {
  const { chain } = node;
  const baseFee = chain.head.header.calcNextBaseFee();
  const base = {
    nonce: request.nonce ?? (await node.pendingNonce(request.from)),
    gasLimit: request.gas ?? (await chain.estimateGas(request, "pending")),
    to: request.to,
    value: request.value ?? 0n,
    data: request.data ?? new Uint8Array(),
    chainId: chain.chainId,
  };
  const tip = request.maxPriorityFeePerGas ?? SUGGESTED_PRIORITY_FEE;
  const maxFeePerGas = request.maxFeePerGas ?? baseFee * 2n + tip;
  const txData: TypedTxData =
    request.gasPrice !== undefined && request.maxFeePerGas === undefined
      ? ({ ...base, type: 0, gasPrice: request.gasPrice } as TypedTxData)
      : ({
          ...base,
          type: 2,
          maxFeePerGas,
          maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas,
        } as TypedTxData);
  const tx = createTx(txData, { common: chain.common, freeze: false }).sign(IMPERSONATION_SIGNING_KEY);
  const sender = new Address(request.from);
  tx.getSenderAddress = () => sender;
  return tx;
}

/**
 * A quantity a state edit may set: at most `max` (`bound` names it in words). A larger one would
 * be stored as is and break every later transaction touching the account (a balance past 2^256 - 1
 * overflows on the next credit): refused here, before anything changes or detaches.
 */
function parseBounded(value: unknown, name: string, max: bigint, bound: string): bigint {
  const quantityValue = parseQuantity(value, name);
  if (quantityValue > max) throw invalidParams(`${name}: ${quantityValue} is above the largest ${name} ${bound}`);
  return quantityValue;
}

/** hardhat_setCode's code: any size up to MAX_DEV_CODE_SIZE (see there). */
function parseCode(value: unknown): Uint8Array {
  const code = parseData(value, "code");
  if (code.length > MAX_DEV_CODE_SIZE)
    throw invalidParams(
      `code: ${code.length} bytes is above the largest dev code size ${MAX_DEV_CODE_SIZE} bytes (1 MiB; EIP-170's 24,576 bytes bind deployments only)`,
    );
  return code;
}

export interface DevStateConfig {
  readonly node: DevStateNode;
  readonly detachment: L1Detachment;
  /**
   * The latest time an L1 block carrying the next `advance` is sure to have (the L1's head or the
   * wall clock, whichever is later): an L2 block past it is one the rollup refuses (BlockFromFuture).
   */
  readonly l1Time: () => Promise<bigint>;
}

/**
 * The L2 devnet's state-patching dev methods (docs/design/l2-dev-state.md), with their anvil_*
 * names: `hardhat_setBalance`/`setNonce`/`setCode`/`setStorageAt` edit the state the next block
 * builds on, `evm_snapshot`/`evm_revert` take the chain back, `evm_increaseTime` and
 * `evm_setNextBlockTimestamp` move its clock. Whatever L1 cannot re-execute (a patch, a dropped
 * block, a timestamp ahead of L1's time) first detaches the node from L1 (`detachment`), then
 * happens. Served only where the other dev methods are (a devnet): ./rpc.ts.
 */
export function devStateMethods(config: DevStateConfig): MethodTable {
  const { node, detachment } = config;
  const { chain } = node;
  /** Snapshot id → the head it was taken at (the chain keeps the state root and the clock). */
  const snapshots = new Map<number, bigint>();

  const patch =
    (
      method: string,
      read: (params: readonly unknown[]) => { address: Uint8Array; patch: AccountPatch },
    ): MethodHandler =>
    async (params) => {
      const edit = read(params);
      // Detached before the edit: the submitter stands down before a block on the edited state exists.
      detachment.detach({ method, fromBlock: chain.headNumber + 1n, cause: `state patched by ${method}` });
      await chain.patchAccount(edit.address, edit.patch);
      return true;
    };

  const setBalance = (method: string): MethodHandler =>
    patch(method, (p) => ({
      address: parseAddress(p[0], "address"),
      patch: { balance: parseBounded(p[1], "balance", MAX_DEV_BALANCE, "2^256 - 1, a balance is a uint256") },
    }));
  const setNonce = (method: string): MethodHandler =>
    patch(method, (p) => ({
      address: parseAddress(p[0], "address"),
      patch: { nonce: parseBounded(p[1], "nonce", MAX_DEV_NONCE, "2^64 - 1, a nonce is a uint64 (EIP-2681)") },
    }));
  const setCode = (method: string): MethodHandler =>
    patch(method, (p) => ({ address: parseAddress(p[0], "address"), patch: { code: parseCode(p[1]) } }));
  const setStorageAt = (method: string): MethodHandler =>
    patch(method, (p) => ({
      address: parseAddress(p[0], "address"),
      patch: { storage: [{ slot: parseSlot(p[1], "slot"), value: parseData(p[2], "value", 32) }] },
    }));

  const snapshot: MethodHandler = () => {
    const id = chain.snapshot();
    snapshots.set(id, chain.headNumber);
    return quantity(id);
  };

  const revert =
    (method: string): MethodHandler =>
    async (params) => {
      const id = Number(parseQuantity(params[0], "snapshotId"));
      const at = snapshots.get(id);
      if (at === undefined) return false;
      // Hardhat's rule: reverting consumes the snapshot and every later one.
      for (const key of [...snapshots.keys()]) if (key >= id) snapshots.delete(key);
      const head = chain.headNumber;
      // The chain was rebased below the snapshot meanwhile: the chain forgot it too.
      if (at > head) return false;
      if (at < head) {
        detachment.detach({
          method,
          fromBlock: at + 1n,
          cause: `${at + 1n === head ? `block ${head}` : `blocks ${at + 1n}–${head}`} dropped by ${method}`,
        });
      }
      let reverted = false;
      await node.dropBlocksAfter(at, async () => {
        reverted = await chain.revert(id);
        // The chain forgot the snapshot (a rebase went below it since): still end at its head.
        if (!reverted) await chain.rewind(at);
      });
      return reverted;
    };

  /** Detaches when an L2 block at `timestamp` is one L1 would refuse as from the future. */
  const checkClock = async (method: string, timestamp: bigint): Promise<void> => {
    if (detachment.state !== undefined) return;
    const l1 = await config.l1Time();
    if (timestamp <= l1) return;
    detachment.detach({
      method,
      fromBlock: chain.headNumber + 1n,
      cause: `${method} set the next L2 block's time to ${timestamp}, ahead of L1's ${l1} (the rollup refuses a block from the future)`,
    });
  };

  const increaseTime =
    (method: string): MethodHandler =>
    async (params) => {
      const seconds = parseQuantity(params[0], "seconds");
      const next = chain.nextTimestamp() + seconds;
      if (next > MAX_DEV_TIMESTAMP)
        throw invalidParams(
          `seconds: moving the clock by ${seconds} s would put the next block's timestamp at ${next}, past the largest dev timestamp ${MAX_DEV_TIMESTAMP} (2^63 - 1)`,
        );
      await checkClock(method, next);
      return Number(chain.increaseTime(seconds));
    };

  const setNextBlockTimestamp =
    (method: string): MethodHandler =>
    async (params) => {
      const timestamp = parseQuantity(params[0], "timestamp");
      if (timestamp > MAX_DEV_TIMESTAMP)
        throw invalidParams(
          `timestamp: ${timestamp} is past the largest dev timestamp ${MAX_DEV_TIMESTAMP} (2^63 - 1)`,
        );
      if (timestamp <= chain.head.header.timestamp)
        throw invalidParams(
          `timestamp: ${timestamp} is not above the latest block's ${chain.head.header.timestamp} (L2 timestamps grow with every block)`,
        );
      await checkClock(method, timestamp);
      chain.setNextBlockTimestamp(timestamp);
      return null;
    };

  /** Lower-case addresses eth_sendTransaction sends for without a key. */
  const impersonated = new Set<string>();
  const impersonate =
    (on: boolean): MethodHandler =>
    (params) => {
      const address = bytesToHex(parseAddress(params[0], "address"));
      if (on) impersonated.add(address);
      else impersonated.delete(address);
      return true;
    };
  /** eth_sendTransaction: impersonated senders only (the L2 node holds no keys). */
  const sendTransaction: MethodHandler = async (params) => {
    const request = parseTransactionRequest(params[0]);
    const from = bytesToHex(request.from);
    if (!impersonated.has(from))
      throw new TransactionRejectedError(
        "unknown account",
        "the L2 node holds no keys: sign locally and use eth_sendRawTransaction, or impersonate the account first (hardhat_impersonateAccount)",
      );
    const tx = await impersonatedTransaction(node, request);
    // Detached once the pool admitted it, never for a refused one (nothing L1 cannot verify
    // happened). Still before any block holds it: this runs as the pool lock's admission settles,
    // ahead of the next holder of that lock (a block production) taking it.
    const hash = await node.submitTransaction(tx);
    detachment.detach({
      method: "hardhat_impersonateAccount",
      fromBlock: chain.headNumber + 1n,
      cause: `transaction ${bytesToHex(hash)} sent for ${from} without its signature (impersonated)`,
    });
    return data(hash);
  };

  /** evm_mine with a timestamp: the same clock rule as evm_setNextBlockTimestamp. */
  const mine: MethodHandler = async (params) => {
    if (params[0] !== undefined && params[0] !== null) {
      const timestamp = parseQuantity(params[0], "timestamp");
      if (timestamp > MAX_DEV_TIMESTAMP)
        throw invalidParams(
          `timestamp: ${timestamp} is past the largest dev timestamp ${MAX_DEV_TIMESTAMP} (2^63 - 1)`,
        );
      await checkClock("evm_mine", timestamp);
      await node.produceBlock({ timestamp });
    } else {
      // The clock at its cap (a forced time near it, then a block a second): refused before the
      // sequencer asks L1 for the block's anchor (the chain refuses such a block too).
      const next = chain.nextTimestamp();
      if (next > MAX_DEV_TIMESTAMP) throw new DevTimestampCapError(next, MAX_DEV_TIMESTAMP);
      await node.produceBlock({});
    }
    return "0x0";
  };

  return {
    evm_mine: mine,
    hardhat_impersonateAccount: impersonate(true),
    hardhat_stopImpersonatingAccount: impersonate(false),
    anvil_impersonateAccount: impersonate(true),
    anvil_stopImpersonatingAccount: impersonate(false),
    eth_sendTransaction: sendTransaction,
    hardhat_setBalance: setBalance("hardhat_setBalance"),
    hardhat_setNonce: setNonce("hardhat_setNonce"),
    hardhat_setCode: setCode("hardhat_setCode"),
    hardhat_setStorageAt: setStorageAt("hardhat_setStorageAt"),
    anvil_setBalance: setBalance("anvil_setBalance"),
    anvil_setNonce: setNonce("anvil_setNonce"),
    anvil_setCode: setCode("anvil_setCode"),
    anvil_setStorageAt: setStorageAt("anvil_setStorageAt"),
    evm_snapshot: snapshot,
    anvil_snapshot: snapshot,
    evm_revert: revert("evm_revert"),
    anvil_revert: revert("anvil_revert"),
    evm_increaseTime: increaseTime("evm_increaseTime"),
    anvil_increaseTime: increaseTime("anvil_increaseTime"),
    evm_setNextBlockTimestamp: setNextBlockTimestamp("evm_setNextBlockTimestamp"),
    anvil_setNextBlockTimestamp: setNextBlockTimestamp("anvil_setNextBlockTimestamp"),
  };
}
