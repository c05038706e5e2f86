import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { createTx } from "@ethereumjs/tx";
import { MapDB, ValueEncoding, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { type VM, createVM } from "@ethereumjs/vm";
import { expect } from "chai";

import { SafeMerkleStateManager, type StoredValue } from "../../../precompiles";
import { produceBlock } from "../../../rollup-node/chain/blockBuilder";
import { BlockStore } from "../../../rollup-node/chain/blockStore";
import { StoreBlockchain } from "../../../rollup-node/chain/chainBlockchain";
import { NotTraceableError } from "../../../rollup-node/chain/errors";
import {
  createChainCommon,
  createGenesisBlock,
  genesisAlloc,
  writeGenesisState,
} from "../../../rollup-node/chain/genesis";
import {
  type BlockReplay,
  type ReplayTracer,
  replayBlock,
  traceCalls,
  traceSteps,
} from "../../../rollup-node/chain/replay";
import type { MinedBlock } from "../../../rollup-node/chain/types";
import { rejection } from "../rejection";

const KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const SENDER = createAddressFromPrivateKey(KEY);
const RECIPIENT = hexToBytes("0x00000000000000000000000000000000000000aa");
const GENESIS_TIME = 1_700_000_000n;

interface Fixture {
  readonly vm: VM;
  readonly common: Common;
  readonly genesis: Block;
  /** Block 1 with three transfers (values 1, 2, 3 wei), built on genesis but not stored. */
  readonly mined: MinedBlock;
}

/** A VM over a genesis state, and a block built on it: what a chain holds when a trace is asked. */
async function fixture(): Promise<Fixture> {
  const config = { chainId: 1337n, timestamp: GENESIS_TIME, alloc: { [SENDER.toString()]: { balance: 10n ** 21n } } };
  const common = createChainCommon(config.chainId);
  const trie = new MerklePatriciaTrie({
    db: new MapDB<string, StoredValue>(),
    useKeyHashing: true,
    common,
    valueEncoding: ValueEncoding.Bytes,
  });
  const state = new SafeMerkleStateManager({ common, trie });
  const root = await writeGenesisState(state, genesisAlloc(config, true));
  const genesis = createGenesisBlock(config, common, root);
  const store = new BlockStore();
  store.add({ block: genesis, receipts: [] });
  const vm = await createVM({ common, stateManager: state, blockchain: new StoreBlockchain(store) });
  const txs = [1n, 2n, 3n].map((value, nonce) =>
    createTx(
      {
        type: 2,
        nonce: BigInt(nonce),
        to: RECIPIENT,
        value,
        gasLimit: 30_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
        chainId: 1337n,
      },
      { common },
    ).sign(KEY),
  );
  const mined = await produceBlock({
    vm,
    common,
    parent: genesis,
    parentStateRoot: root,
    txs,
    template: {
      timestamp: GENESIS_TIME + 12n,
      coinbase: new Uint8Array(20),
      parentBeaconBlockRoot: new Uint8Array(32),
      extraData: new Uint8Array(),
      prevRandao: genesis.hash(),
    },
  });
  expect(mined.record.block.transactions).to.have.length(3);
  return { vm, common, genesis, mined };
}

function replayOf(f: Fixture, block: Block = f.mined.record.block): BlockReplay {
  return { vm: f.vm, common: f.common, block, preStateRoot: f.mined.preStateRoot };
}

/** A tracer that only counts how often it was attached and detached. */
function countingTracer(): ReplayTracer & { attached: number; detached: number } {
  return {
    attached: 0,
    detached: 0,
    attach() {
      this.attached++;
    },
    detach() {
      this.detached++;
    },
  };
}

describe("block replay (one re-run for every tracer)", () => {
  it("re-runs only the first `count` transactions, on the block's pre-state, with the gas the block charged", async () => {
    const f = await fixture();
    const traces = await traceSteps(replayOf(f), {}, 2);
    const [first, second] = f.mined.record.receipts;
    expect(traces.map((t) => t.gas)).to.deep.equal([
      first?.cumulativeGasUsed,
      (second?.cumulativeGasUsed ?? 0n) - (first?.cumulativeGasUsed ?? 0n),
    ]);
    expect(traces.every((t) => !t.failed)).to.equal(true);
    expect(await traceSteps(replayOf(f), {})).to.have.length(3);
  });

  it("gives geth's callTracer frame of one transaction: its gas limit, the gas it used, sender, recipient, value", async () => {
    const f = await fixture();
    const frame = await traceCalls(replayOf(f), 2);
    expect(frame?.type).to.equal("CALL");
    expect(frame?.from).to.deep.equal(SENDER.bytes);
    expect(frame?.to).to.deep.equal(RECIPIENT);
    expect(frame?.value).to.equal(3n);
    expect(frame?.gas).to.equal(30_000n);
    expect(frame?.gasUsed).to.equal(21_000n);
    expect(await traceCalls(replayOf(f), 3)).to.equal(undefined);
  });

  it("runs the chain's before-execution hook once, as for any block, and detaches the tracer afterwards", async () => {
    const f = await fixture();
    const kinds: string[] = [];
    const tracer = countingTracer();
    await replayBlock({ ...replayOf(f), beforeExecution: (kind) => kinds.push(kind) }, 1, tracer);
    expect(kinds).to.deep.equal(["block"]);
    expect([tracer.attached, tracer.detached]).to.deep.equal([1, 1]);
  });

  it("detaches the tracer when the replay fails (a pre-state the database does not hold)", async () => {
    const f = await fixture();
    const tracer = countingTracer();
    const failure = await rejection(
      replayBlock({ ...replayOf(f), preStateRoot: new Uint8Array(32).fill(7) }, 1, tracer),
    );
    expect(failure).to.be.instanceOf(Error);
    expect([tracer.attached, tracer.detached]).to.deep.equal([1, 1]);
  });

  it("refuses genesis, which ran no transaction, without attaching the tracer", async () => {
    const f = await fixture();
    const tracer = countingTracer();
    expect(await rejection(replayBlock(replayOf(f, f.genesis), 0, tracer))).to.be.instanceOf(NotTraceableError);
    expect(tracer.attached).to.equal(0);
  });
});
