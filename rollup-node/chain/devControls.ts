import type { StateManagerInterface } from "@ethereumjs/common";
import { Account, Address, setLengthLeft } from "@ethereumjs/util";

import { InvalidTimestampError } from "./errors";

// The dev-only controls of a chain (evm_increaseTime, evm_setNextBlockTimestamp, evm_snapshot,
// hardhat_set*): the state they keep and the rules they follow. `Chain` applies them under its
// lock; the RPC methods that expose them answer invalid params before reaching here.

/**
 * The latest block timestamp the dev controls (evm_increaseTime, evm_setNextBlockTimestamp,
 * evm_mine's and hardhat_mine's timestamps) may set: 2^63 - 1, the largest that tools reading
 * timestamps as signed 64-bit integers still read, with 2^63 seconds left below the uint64 limit
 * of the header field so the chain can always go on from there.
 */
export const MAX_DEV_TIMESTAMP = 2n ** 63n - 1n;

/** The largest balance hardhat_setBalance may set: an account balance is a uint256. */
export const MAX_DEV_BALANCE = 2n ** 256n - 1n;

/** The largest nonce hardhat_setNonce may set: a nonce is a uint64 (EIP-2681). */
export const MAX_DEV_NONCE = 2n ** 64n - 1n;

/**
 * The largest code hardhat_setCode may set, in bytes: 1 MiB. Hardhat and anvil take any size (the
 * 24,576-byte EIP-170 limit binds deployments, not state edits), and so does this node up to a
 * bound far above any real contract, so that a wrong paste is an error instead of a state that
 * every later witness must carry.
 */
export const MAX_DEV_CODE_SIZE = 1024 * 1024;

/** Direct state edits of dev methods (hardhat_setBalance, …); absent fields are kept. */
export interface AccountPatch {
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Uint8Array;
  readonly storage?: readonly { slot: Uint8Array; value: Uint8Array }[];
}

/** What a snapshot keeps of the clock. */
export interface ClockState {
  readonly offset: bigint;
  readonly forced: bigint | undefined;
}

const systemNow = (): bigint => BigInt(Math.floor(Date.now() / 1000));

/**
 * The chain's clock: the wall clock plus the seconds dev methods moved it, and a timestamp forced
 * for the next block. It refuses any time past MAX_DEV_TIMESTAMP: a header's timestamp is a uint64
 * and must grow every block, so a clock pushed to the edge would leave no valid next block and
 * fail every transaction until a restart.
 */
export class DevClock {
  private offset = 0n;
  private forced: bigint | undefined;

  /** `now`: the wall clock in seconds since the epoch; injectable for tests. */
  constructor(private readonly now: () => bigint = systemNow) {}

  /** Seconds the clock runs ahead of the wall clock. */
  get offsetSeconds(): bigint {
    return this.offset;
  }

  /** The timestamp of the next block after a head at `headTimestamp`: the forced one, else now, else head + 1. */
  next(headTimestamp: bigint): bigint {
    if (this.forced !== undefined) return this.forced;
    const now = this.now() + this.offset;
    const min = headTimestamp + 1n;
    return now > min ? now : min;
  }

  /** evm_increaseTime: moves the clock forward; returns the total offset in seconds. */
  increase(seconds: bigint, headTimestamp: bigint): bigint {
    const next = this.next(headTimestamp) + seconds;
    if (seconds < 0n || next > MAX_DEV_TIMESTAMP) {
      throw new InvalidTimestampError(
        `moving the clock by ${seconds} s would put the next block at ${next}, past the largest dev timestamp ${MAX_DEV_TIMESTAMP}`,
      );
    }
    this.offset += seconds;
    return this.offset;
  }

  /** evm_setNextBlockTimestamp: the next block gets `timestamp`, and later blocks continue from it. */
  force(timestamp: bigint, headTimestamp: bigint): void {
    if (timestamp > MAX_DEV_TIMESTAMP)
      throw new InvalidTimestampError(`timestamp ${timestamp} is past the largest dev timestamp ${MAX_DEV_TIMESTAMP}`);
    if (timestamp <= headTimestamp)
      throw new InvalidTimestampError(`timestamp ${timestamp} is not above the latest block's ${headTimestamp}`);
    this.forced = timestamp;
    this.offset = timestamp - this.now();
  }

  /** A block was mined, or the chain rewound: a forced timestamp serves one block only. */
  releaseForced(): void {
    this.forced = undefined;
  }

  get state(): ClockState {
    return { offset: this.offset, forced: this.forced };
  }

  restore(state: ClockState): void {
    this.offset = state.offset;
    this.forced = state.forced;
  }
}

/**
 * evm_snapshot's ids: reverting to one consumes it and every later one, as Hardhat does, and
 * blocks a rewind drops take their snapshots with them.
 */
export class SnapshotStack<T extends { readonly headNumber: bigint }> {
  private readonly taken = new Map<number, T>();
  private nextId = 1;

  take(snapshot: T): number {
    const id = this.nextId++;
    this.taken.set(id, snapshot);
    return id;
  }

  /** The snapshot `id`, consuming it and every later one; undefined when unknown or already consumed. */
  takeBack(id: number): T | undefined {
    const snapshot = this.taken.get(id);
    if (snapshot === undefined) return undefined;
    for (const key of [...this.taken.keys()]) if (key >= id) this.taken.delete(key);
    return snapshot;
  }

  /** Forgets the snapshots taken with a head past block `number` (the chain no longer has it). */
  forgetAbove(number: bigint): void {
    for (const [id, snapshot] of [...this.taken]) if (snapshot.headNumber > number) this.taken.delete(id);
  }
}

/**
 * Applies `patch` to the account at `address` in the state `state` stands at, and commits it:
 * returns the new state root. Storage slots are left-padded to 32 bytes.
 */
export async function applyAccountPatch(
  state: StateManagerInterface,
  address: Uint8Array,
  patch: AccountPatch,
): Promise<Uint8Array> {
  const target = new Address(address);
  await state.checkpoint();
  const account = (await state.getAccount(target)) ?? new Account();
  if (patch.balance !== undefined) account.balance = patch.balance;
  if (patch.nonce !== undefined) account.nonce = patch.nonce;
  await state.putAccount(target, account);
  if (patch.code !== undefined) await state.putCode(target, patch.code);
  for (const { slot, value } of patch.storage ?? []) await state.putStorage(target, setLengthLeft(slot, 32), value);
  await state.commit();
  return state.getStateRoot();
}
