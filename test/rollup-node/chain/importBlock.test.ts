import { Block, createBlockHeader } from "@ethereumjs/block";
import { createTx } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { InvalidBlockError } from "../../../rollup-node/chain/errors";
import { rejection } from "../rejection";

const KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const SENDER = createAddressFromPrivateKey(KEY);
const RECIPIENT = hexToBytes("0x00000000000000000000000000000000000000aa");
const GENESIS_TIME = 1_700_000_000n;

function newChain(): Promise<Chain> {
  return Chain.create({
    genesis: { chainId: 1337n, timestamp: GENESIS_TIME, alloc: { [SENDER.toString()]: { balance: 10n ** 21n } } },
    now: () => GENESIS_TIME,
  });
}

function transfer(chain: Chain, nonce: bigint) {
  return createTx(
    {
      type: 2,
      nonce,
      to: RECIPIENT,
      value: 5n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      chainId: 1337n,
    },
    { common: chain.common },
  ).sign(KEY);
}

/** The same block with one header field changed (and so another hash). */
function withHeader(block: Block, change: Record<string, unknown>): Block {
  const header = createBlockHeader({ ...block.header.toJSON(), ...change }, { common: block.common });
  return new Block(header, [...block.transactions], [], block.withdrawals, { common: block.common });
}

describe("Chain block import", () => {
  it("imports blocks produced by another node of the same genesis and serves their receipts and state", async () => {
    const producer = await newChain();
    const first = await producer.mineBlock([transfer(producer, 0n), transfer(producer, 1n)]);
    const second = await producer.mineBlock([transfer(producer, 2n)]);
    const follower = await newChain();
    await follower.importBlock(first.record.block);
    await follower.importBlock(second.record.block);
    expect(follower.headNumber).to.equal(2n);
    expect(bytesToHex(follower.head.hash())).to.equal(bytesToHex(producer.head.hash()));
    expect(await follower.getBalance(RECIPIENT)).to.equal(15n);
    const receipt = follower.getReceipt(second.record.block.transactions[0]?.hash() as Uint8Array);
    expect(receipt?.status).to.equal(1);
    expect(receipt?.cumulativeGasUsed).to.equal(21_000n);
  });

  it("rejects a block whose state root differs from what its transactions produce, and keeps its head", async () => {
    const producer = await newChain();
    const mined = await producer.mineBlock([transfer(producer, 0n)]);
    const follower = await newChain();
    const forged = withHeader(mined.record.block, { stateRoot: bytesToHex(new Uint8Array(32).fill(7)) });
    const error = await rejection(follower.importBlock(forged));
    expect(error).to.be.instanceOf(InvalidBlockError);
    expect(error.message).to.match(/state ?root/i);
    expect(follower.headNumber).to.equal(0n);
    expect(await follower.getBalance(RECIPIENT)).to.equal(0n);
    // The real block still imports: the failed attempt left no trace in the state.
    await follower.importBlock(mined.record.block);
    expect(await follower.getBalance(RECIPIENT)).to.equal(5n);
  });

  it("rejects a block whose receipts root differs", async () => {
    const producer = await newChain();
    const mined = await producer.mineBlock([transfer(producer, 0n)]);
    const follower = await newChain();
    const error = await rejection(
      follower.importBlock(withHeader(mined.record.block, { receiptTrie: bytesToHex(new Uint8Array(32).fill(1)) })),
    );
    expect(error).to.be.instanceOf(InvalidBlockError);
    expect(error.message).to.match(/receipt/i);
  });

  it("rejects a block that does not extend the head, or whose base fee does not follow its parent's", async () => {
    const producer = await newChain();
    const first = await producer.mineBlock([]);
    const second = await producer.mineBlock([]);
    const follower = await newChain();
    expect((await rejection(follower.importBlock(second.record.block))).message).to.match(/parent hash/);
    const wrongFee = withHeader(first.record.block, { baseFeePerGas: "0x1" });
    expect((await rejection(follower.importBlock(wrongFee))).message).to.match(/base fee 1, expected 875000000/);
    expect(follower.headNumber).to.equal(0n);
  });
});
