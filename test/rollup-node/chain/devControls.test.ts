import { MerkleStateManager } from "@ethereumjs/statemanager";
import { Address, bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { DevClock, MAX_DEV_TIMESTAMP, SnapshotStack, applyAccountPatch } from "../../../rollup-node/chain/devControls";
import { InvalidTimestampError } from "../../../rollup-node/chain/errors";

const NOW = 1_700_000_000n;
const ACCOUNT = hexToBytes("0x00000000000000000000000000000000000000aa");

/** A clock whose wall time the test moves. */
function clockAt(start: bigint): { clock: DevClock; advance: (seconds: bigint) => void } {
  let now = start;
  return {
    clock: new DevClock(() => now),
    advance: (seconds) => {
      now += seconds;
    },
  };
}

describe("dev clock", () => {
  it("gives the next block the wall time, or one second past the head when the head is ahead of it", () => {
    const { clock } = clockAt(NOW);
    expect(clock.next(NOW - 10n)).to.equal(NOW);
    expect(clock.next(NOW + 5n)).to.equal(NOW + 6n);
  });

  it("evm_increaseTime moves every later block forward and returns the total offset", () => {
    const { clock, advance } = clockAt(NOW);
    expect(clock.increase(100n, NOW - 1n)).to.equal(100n);
    expect(clock.increase(20n, NOW - 1n)).to.equal(120n);
    expect(clock.offsetSeconds).to.equal(120n);
    advance(3n);
    expect(clock.next(NOW - 1n)).to.equal(NOW + 123n);
  });

  it("refuses to move backwards, or past the largest dev timestamp, and keeps its offset", () => {
    const { clock } = clockAt(NOW);
    expect(() => clock.increase(-1n, NOW)).to.throw(InvalidTimestampError);
    expect(() => clock.increase(MAX_DEV_TIMESTAMP - NOW, NOW)).to.throw(InvalidTimestampError, "largest dev timestamp");
    expect(clock.offsetSeconds).to.equal(0n);
    expect(clock.increase(MAX_DEV_TIMESTAMP - NOW - 1n, NOW)).to.equal(MAX_DEV_TIMESTAMP - NOW - 1n);
  });

  it("evm_setNextBlockTimestamp forces one block's time; once released, blocks continue from it", () => {
    const { clock, advance } = clockAt(NOW);
    clock.force(NOW + 1000n, NOW - 1n);
    advance(5n);
    expect(clock.next(NOW - 1n)).to.equal(NOW + 1000n);
    clock.releaseForced();
    expect(clock.next(NOW + 1000n)).to.equal(NOW + 1005n);
  });

  it("refuses a forced time not above the head's, or past the largest dev timestamp", () => {
    const { clock } = clockAt(NOW);
    expect(() => clock.force(NOW, NOW)).to.throw(InvalidTimestampError, "not above the latest block's");
    expect(() => clock.force(MAX_DEV_TIMESTAMP + 1n, NOW)).to.throw(InvalidTimestampError, "largest dev timestamp");
    expect(clock.next(NOW - 1n)).to.equal(NOW);
  });

  it("restores a saved state: offset and forced time", () => {
    const { clock } = clockAt(NOW);
    clock.force(NOW + 50n, NOW - 1n);
    const saved = clock.state;
    clock.releaseForced();
    clock.increase(7n, NOW + 50n);
    clock.restore(saved);
    expect(clock.next(NOW - 1n)).to.equal(NOW + 50n);
    expect(clock.offsetSeconds).to.equal(50n);
  });
});

describe("dev snapshots", () => {
  it("reverting to a snapshot consumes it and every later one, not the earlier ones", () => {
    const stack = new SnapshotStack<{ headNumber: bigint }>();
    const [a, b, c] = [stack.take({ headNumber: 1n }), stack.take({ headNumber: 2n }), stack.take({ headNumber: 3n })];
    expect(stack.takeBack(b)).to.deep.equal({ headNumber: 2n });
    expect(stack.takeBack(b)).to.equal(undefined);
    expect(stack.takeBack(c)).to.equal(undefined);
    expect(stack.takeBack(a)).to.deep.equal({ headNumber: 1n });
    expect(stack.takeBack(99)).to.equal(undefined);
  });

  it("never hands out an id twice, even after a revert", () => {
    const stack = new SnapshotStack<{ headNumber: bigint }>();
    const first = stack.take({ headNumber: 1n });
    stack.takeBack(first);
    expect(stack.take({ headNumber: 1n })).to.not.equal(first);
  });

  it("forgets the snapshots of blocks a rewind dropped", () => {
    const stack = new SnapshotStack<{ headNumber: bigint }>();
    const kept = stack.take({ headNumber: 4n });
    const dropped = stack.take({ headNumber: 5n });
    stack.forgetAbove(4n);
    expect(stack.takeBack(dropped)).to.equal(undefined);
    expect(stack.takeBack(kept)).to.deep.equal({ headNumber: 4n });
  });
});

describe("dev account patches", () => {
  it("sets the given fields, keeps the absent ones, pads storage slots, and returns the committed root", async () => {
    const state = new MerkleStateManager();
    const address = new Address(ACCOUNT);
    await applyAccountPatch(state, ACCOUNT, { balance: 5n, nonce: 3n, code: hexToBytes("0x6001") });
    const before = await state.getStateRoot();

    const root = await applyAccountPatch(state, ACCOUNT, {
      balance: 9n,
      storage: [{ slot: hexToBytes("0x01"), value: hexToBytes("0x2a") }],
    });

    expect(bytesToHex(root)).to.equal(bytesToHex(await state.getStateRoot()));
    expect(bytesToHex(root)).to.not.equal(bytesToHex(before));
    const account = await state.getAccount(address);
    expect([account?.balance, account?.nonce]).to.deep.equal([9n, 3n]);
    expect(bytesToHex(await state.getCode(address))).to.equal("0x6001");
    const slot = new Uint8Array(32);
    slot[31] = 1;
    expect(bytesToHex(await state.getStorage(address, slot))).to.equal("0x2a");
  });

  it("creates the account when it does not exist", async () => {
    const state = new MerkleStateManager();
    await applyAccountPatch(state, ACCOUNT, { nonce: 1n });
    const account = await state.getAccount(new Address(ACCOUNT));
    expect([account?.balance, account?.nonce]).to.deep.equal([0n, 1n]);
  });
});
