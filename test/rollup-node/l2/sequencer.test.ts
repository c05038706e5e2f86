import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, setLengthLeft, bigIntToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { Interface } from "ethers";

import { verifyBlock } from "../../../precompiles";
import { BEACON_ROOTS } from "../../../precompiles/systemContracts";
import { type L1Message, hashL1Message, messageProof, messageRoot } from "../../../protocol/messages";
import { DataDirError } from "../../../rollup-node/l2/errors";
import { L2_BRIDGE_ADDRESS, l2Genesis, readL2BridgeRuntimeCode } from "../../../rollup-node/l2/genesis";
import { MemoryLogger } from "../../../rollup-node/logger";
import type { L2Store } from "../../../rollup-node/l2/store";
import type { AnchorProvider, ProducedBlock } from "../../../rollup-node/l2/types";
import { rejection } from "../rejection";
import { GENESIS_TIME, L2_CHAIN_ID, describeSequencers, openSequencer, signers } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000bb";
const bridgeAbi = new Interface([
  "function relayMessage((uint256 nonce, address from, address to, uint256 value, uint256 gasLimit, bytes data) message, uint64 anchorTimestamp, uint256 index, bytes32[] proof)",
]);

async function expectVerifies(produced: ProducedBlock): Promise<void> {
  const result = await verifyBlock({
    chainId: L2_CHAIN_ID,
    parentHeader: produced.parentHeader,
    block: produced.blockRlp,
    witness: produced.encodedWitness,
  });
  expect(bytesToHex(result.blockHash)).to.equal(bytesToHex(produced.block.hash()));
}

function deposit(nonce: bigint, value: bigint): L1Message {
  return { nonce, from: "0x00000000000000000000000000000000000001a1", to: TO, value, gasLimit: 50_000n, data: "0x" };
}

/** Relays `messages` (the whole block's tree) signed by `relayer`. */
function anchorWith(messages: L1Message[], relayer: ReturnType<typeof signers>[number]): AnchorProvider {
  return async ({ timestamp, nextMessageNonce }) => {
    const leaves = messages.map(hashL1Message);
    return {
      root: hexToBytes(messageRoot(leaves) as `0x${string}`),
      consumedMessages: messages.length,
      firstMessageNonce: nextMessageNonce,
      transactions: messages.map((m, i) =>
        relayer.tx({
          to: L2_BRIDGE_ADDRESS,
          gasLimit: 200_000n,
          data: bridgeAbi.encodeFunctionData("relayMessage", [m, timestamp, i, messageProof(leaves, i)]),
        }),
      ),
    };
  };
}

describe("L2 sequencer", function () {
  this.timeout(20_000);
  const { dirs, track } = describeSequencers();

  it("puts the anchor's relays first and its root in parentBeaconBlockRoot, where the L2's EIP-4788 contract serves it", async () => {
    const [relayer, user] = signers(2);
    const contexts: bigint[] = [];
    let provide: AnchorProvider = anchorWith([deposit(0n, 5n), deposit(1n, 7n)], relayer!);
    const sequencer = track(
      await openSequencer(dirs.make(), {
        anchorProvider: async (context) => {
          contexts.push(context.nextMessageNonce);
          return provide(context);
        },
      }),
    );
    await sequencer.submitTransaction(user!.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    const first = await sequencer.produceBlock();
    expect(first.consumedMessages).to.equal(2);
    expect(first.firstMessageNonce).to.equal(0n);
    expect(first.block.transactions).to.have.length(3);
    expect(sequencer.chain.getReceipt(first.block.transactions[0]!.hash())?.status).to.equal(1);
    expect(await sequencer.chain.getBalance(hexToBytes(TO))).to.equal(13n);
    const root = first.block.header.parentBeaconBlockRoot as Uint8Array;
    expect(bytesToHex(root)).to.equal(messageRoot([deposit(0n, 5n), deposit(1n, 7n)].map(hashL1Message)));
    const stored = await sequencer.chain.call({
      to: hexToBytes(BEACON_ROOTS.address),
      data: setLengthLeft(bigIntToBytes(first.block.header.timestamp), 32),
    });
    expect(bytesToHex(stored.returnValue)).to.equal(bytesToHex(root));
    await expectVerifies(first);

    provide = async ({ nextMessageNonce }) => ({
      root: new Uint8Array(32),
      consumedMessages: 0,
      firstMessageNonce: nextMessageNonce,
      transactions: [],
    });
    const second = await sequencer.produceBlock();
    expect(contexts).to.deep.equal([0n, 2n]);
    expect(second.firstMessageNonce).to.equal(2n);
    expect(bytesToHex((await sequencer.producedBlock(1n))!.encodedWitness)).to.equal(bytesToHex(first.encodedWitness));
    expect(await sequencer.producedBlock(0n)).to.equal(undefined);
    expect(await sequencer.producedBlock(3n)).to.equal(undefined);
  });

  it("builds no block while a relay cannot be included (a block without its messages would be rejected on L1 once they are overdue), says what to do, and resumes the chain once the relayer is fixed", async () => {
    const logger = new MemoryLogger();
    const contexts: bigint[] = [];
    let relayer = signers(1)[0]!;
    let broken = true;
    const sequencer = track(
      await openSequencer(dirs.make(), {
        logger,
        anchorProvider: async (context) => {
          contexts.push(context.nextMessageNonce);
          const anchor = await anchorWith([deposit(context.nextMessageNonce, 1n)], relayer)(context);
          if (!broken) return anchor;
          relayer.tx({ to: TO }); // skips a nonce: the relay below cannot be included
          return { ...anchor, transactions: [relayer.tx({ to: TO, gasLimit: 21_000n })] };
        },
      }),
    );
    const error = await sequencer.produceBlock().then(
      () => undefined,
      (e: unknown) => e as { code?: string; hint?: string },
    );
    expect(error?.code).to.equal("L2_RELAY_NOT_INCLUDED");
    expect(error?.hint).to.include("relayer");
    expect(sequencer.chain.headNumber).to.equal(0n);

    broken = false;
    relayer = signers(1)[0]!;
    const retry = await sequencer.produceBlock();
    expect(contexts).to.deep.equal([0n, 0n]);
    expect(retry.consumedMessages).to.equal(1);
    expect(retry.firstMessageNonce).to.equal(0n);
    await expectVerifies(retry);
  });

  it("survives an abandoned (never closed) node: no accepted transaction or stored block is lost and the chain continues", async () => {
    const dir = dirs.make();
    const [alice, bob] = signers(2);
    const first = track(await openSequencer(dir));
    await first.submitTransaction(alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    const one = await first.produceBlock();
    await first.submitTransaction(alice!.tx({ to: TO, value: 2n, gasLimit: 21_000n }));
    const two = await first.produceBlock();
    const pending: TypedTransaction[] = [
      alice!.tx({ to: TO, value: 3n, gasLimit: 21_000n }),
      bob!.tx({ to: TO, value: 4n, gasLimit: 21_000n }),
    ];
    for (const tx of pending) await first.submitTransaction(tx);

    const second = track(await openSequencer(dirs.crashCopy(dir)));
    expect(second.chain.headNumber).to.equal(2n);
    expect(bytesToHex(second.chain.head.hash())).to.equal(bytesToHex(two.block.hash()));
    expect(second.chain.getReceipt(one.block.transactions[0]!.hash())?.status).to.equal(1);
    expect(bytesToHex((await second.producedBlock(2n))!.encodedWitness)).to.equal(bytesToHex(two.encodedWitness));
    expect(second.pendingTransactions().map((tx) => bytesToHex(tx.hash()))).to.have.members(
      pending.map((tx) => bytesToHex(tx.hash())),
    );
    expect(await second.pendingNonce(alice!.address.bytes)).to.equal(3n);
    const three = await second.produceBlock();
    expect(three.number).to.equal(3n);
    expect(three.block.transactions).to.have.length(2);
    await expectVerifies(three);
    expect(await second.chain.getBalance(hexToBytes(TO))).to.equal(10n);
  });

  it("never exposes a block whose record was not stored: a kill between state and record writes rebuilds the same number cleanly", async () => {
    const dir = dirs.make();
    const [alice] = signers(1);
    const first = track(await openSequencer(dir));
    await first.produceBlock();
    const tx = alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    await first.submitTransaction(tx);
    let crashed = "";
    // The process dies after the block's state nodes are written, before its record batch.
    (first as unknown as { store: L2Store }).store.commitBlock = async () => {
      crashed = dirs.crashCopy(dir);
      throw new Error("killed");
    };
    expect(((await rejection(first.produceBlock())) as Error).message).to.equal("killed");
    expect(first.chain.headNumber).to.equal(1n);

    const second = track(await openSequencer(crashed));
    expect(second.chain.headNumber).to.equal(1n);
    expect(second.pendingTransactions()).to.have.length(1);
    const two = await second.produceBlock();
    expect(bytesToHex(two.block.transactions[0]!.hash())).to.equal(bytesToHex(tx.hash()));
    await expectVerifies(two);
  });

  it("refuses a data directory of another chain unless reset", async () => {
    const dir = dirs.make();
    await (await openSequencer(dir)).close();
    const other = l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: GENESIS_TIME + 1n,
      bridgeCode: readL2BridgeRuntimeCode(),
    });
    expect(await rejection(openSequencer(dir, { genesis: other }))).to.be.instanceOf(DataDirError);
    const reset = track(await openSequencer(dir, { genesis: other, reset: true }));
    expect(reset.chain.head.header.timestamp).to.equal(GENESIS_TIME + 1n);
  });

  it("produces on its interval, announces stored blocks, and skips empty ones when allowEmptyBlocks is false", async () => {
    const [alice] = signers(1);
    const sequencer = track(await openSequencer(dirs.make(), { blockTimeMs: 20, allowEmptyBlocks: false }));
    const seen: bigint[] = [];
    const unsubscribe = sequencer.onBlock((block) => seen.push(block.number));
    sequencer.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sequencer.chain.headNumber).to.equal(0n);
    await sequencer.submitTransaction(alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    for (let i = 0; i < 100 && sequencer.chain.headNumber === 0n; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    sequencer.stop();
    unsubscribe();
    expect(seen).to.deep.equal([1n]);
    expect(sequencer.chain.head.transactions).to.have.length(1);
  });

  it("produces no block from a pool holding nothing executable (only a gapped nonce)", async () => {
    const [alice] = signers(1);
    let ticks = 0;
    const sequencer = track(
      await openSequencer(dirs.make(), {
        blockTimeMs: 20,
        allowEmptyBlocks: false,
        // Asked once per tick, before the decision to skip: counts the ticks.
        anchorProvider: async ({ nextMessageNonce }) => {
          ticks++;
          return {
            root: new Uint8Array(32),
            consumedMessages: 0,
            firstMessageNonce: nextMessageNonce,
            transactions: [],
          };
        },
      }),
    );
    alice!.tx({ to: TO }); // nonce 0 is never sent: nonce 1 waits for it
    const gapped = alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    await sequencer.submitTransaction(gapped);
    sequencer.start();
    for (let i = 0; i < 1000 && ticks < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    sequencer.stop();
    expect(ticks).to.be.at.least(5);
    expect(sequencer.chain.headNumber).to.equal(0n);
    expect(sequencer.pendingTransaction(gapped.hash())).to.equal(gapped);
  });
});
