import { createTx } from "@ethereumjs/tx";
import { createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { MerkleStateManager, fromMerkleStateProof, verifyMerkleStateProof } from "@ethereumjs/statemanager";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { InvalidTimestampError } from "../../../rollup-node/chain/errors";
import { rejection } from "../rejection";

const KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const SENDER = createAddressFromPrivateKey(KEY);
const RECIPIENT = hexToBytes("0x00000000000000000000000000000000000000aa");
const GENESIS_TIME = 1_700_000_000n;

async function newChain(): Promise<Chain> {
  return Chain.create({
    genesis: { chainId: 1337n, timestamp: GENESIS_TIME, alloc: { [SENDER.toString()]: { balance: 10n ** 21n } } },
    now: () => GENESIS_TIME,
  });
}

function transfer(chain: Chain, nonce: bigint, value = 1n) {
  return createTx(
    {
      type: 2,
      nonce,
      to: RECIPIENT,
      value,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      chainId: 1337n,
    },
    { common: chain.common },
  ).sign(KEY);
}

describe("Chain", () => {
  it("starts from an Osaka genesis holding the four system contracts", async () => {
    const chain = await newChain();
    const header = chain.head.header;
    expect(header.number).to.equal(0n);
    expect(header.baseFeePerGas).to.equal(1_000_000_000n);
    expect(header.gasLimit).to.equal(60_000_000n);
    expect(header.blobGasUsed).to.equal(0n);
    expect(header.requestsHash).to.have.length(32);
    for (const address of [
      "0x000f3df6d732807ef1319fb7b8bb8522d0beac02",
      "0x00000961ef480eb55e80d19ad83579a64c007002",
    ] as const) {
      expect((await chain.getCode(hexToBytes(address))).length).to.be.greaterThan(0);
      expect(await chain.getNonce(hexToBytes(address))).to.equal(1n);
    }
  });

  it("mines a multi-transaction block, skipping an invalid transaction with its reason", async () => {
    const chain = await newChain();
    const txs = [transfer(chain, 0n), transfer(chain, 1n), transfer(chain, 5n), transfer(chain, 0n)];
    const mined = await chain.mineBlock(txs);
    expect(mined.record.block.transactions).to.have.length(2);
    expect(mined.skipped.map((s) => [s.reason, s.retryable])).to.deep.equal([
      ["nonce too high", true],
      ["nonce too low", false],
    ]);
    const [first, second] = mined.record.receipts;
    expect(first?.cumulativeGasUsed).to.equal(21_000n);
    expect(second?.cumulativeGasUsed).to.equal(42_000n);
    expect(second?.effectiveGasPrice).to.equal(875_000_001n); // block 1 base fee + 1 wei tip
    expect(await chain.getBalance(RECIPIENT)).to.equal(2n);
  });

  it("lowers the base fee after an underfull block and keeps timestamps strictly increasing", async () => {
    const chain = await newChain();
    const one = await chain.mineBlock([]);
    const two = await chain.mineBlock([]);
    expect(one.record.block.header.baseFeePerGas).to.equal(875_000_000n);
    expect(two.record.block.header.baseFeePerGas).to.be.lessThan(875_000_000n);
    expect(two.record.block.header.timestamp).to.be.greaterThan(one.record.block.header.timestamp);
    expect(await rejection(chain.mineBlock([], { timestamp: two.record.block.header.timestamp }))).to.be.instanceOf(
      InvalidTimestampError,
    );
  });

  it("puts a chosen parentBeaconBlockRoot into the header", async () => {
    const chain = await newChain();
    const root = hexToBytes(`0x${"ab".repeat(32)}`);
    const mined = await chain.mineBlock([], { parentBeaconBlockRoot: root });
    expect(mined.record.block.header.parentBeaconBlockRoot).to.deep.equal(root);
  });

  it("reads state at historic blocks", async () => {
    const chain = await newChain();
    await chain.mineBlock([transfer(chain, 0n, 5n)]);
    await chain.mineBlock([transfer(chain, 1n, 7n)]);
    expect(await chain.getBalance(RECIPIENT, 0n)).to.equal(0n);
    expect(await chain.getBalance(RECIPIENT, 1n)).to.equal(5n);
    expect(await chain.getBalance(RECIPIENT, "latest")).to.equal(12n);
  });

  it("answers EIP-1186 proofs that verify against the block's state root", async () => {
    const chain = await newChain();
    await chain.mineBlock([transfer(chain, 0n, 5n)]);
    const proof = await chain.getProof(RECIPIENT, []);
    expect(proof.balance).to.equal("0x5");
    const state = await fromMerkleStateProof(proof);
    expect(await verifyMerkleStateProof(state as MerkleStateManager, proof)).to.equal(true);
  });

  it("reverts to a snapshot: later blocks are gone and the state is the old one", async () => {
    const chain = await newChain();
    await chain.mineBlock([transfer(chain, 0n, 5n)]);
    const id = chain.snapshot();
    await chain.mineBlock([transfer(chain, 1n, 7n)]);
    expect(await chain.revert(id)).to.equal(true);
    expect(chain.headNumber).to.equal(1n);
    expect(await chain.getBalance(RECIPIENT)).to.equal(5n);
    expect(await chain.revert(id)).to.equal(false);
    const again = await chain.mineBlock([transfer(chain, 1n, 7n)]);
    expect(again.record.block.transactions).to.have.length(1);
  });

  // Its speed is measured by `npm run bench:rollup`, not asserted here: a wall-clock limit fails on a loaded machine.
  it("builds a 300-transaction block holding every transaction", async function () {
    const chain = await newChain();
    const txs = Array.from({ length: 300 }, (_, i) => transfer(chain, BigInt(i)));
    const mined = await chain.mineBlock(txs);
    expect(mined.record.block.transactions).to.have.length(300);
    expect(await chain.getBalance(RECIPIENT)).to.equal(300n);
  });
});
