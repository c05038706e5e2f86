import { Block, createBlock, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { createTx } from "@ethereumjs/tx";
import { MapDB, ValueEncoding, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { type AfterBlockEvent, createVM, runBlock } from "@ethereumjs/vm";
import { expect } from "chai";

import { SafeMerkleStateManager } from "../../../precompiles";
import { SystemCallError } from "../../../precompiles/systemCalls";
import { produceBlock } from "../../../rollup-node/chain/blockBuilder";
import { Chain } from "../../../rollup-node/chain/chain";
import { InvalidBlockError } from "../../../rollup-node/chain/errors";
import {
  type GenesisAccount,
  type GenesisConfig,
  createChainCommon,
  createGenesisBlock,
  genesisAlloc,
  writeGenesisState,
} from "../../../rollup-node/chain/genesis";
import { checkChildBlock } from "../../../rollup-node/chain/headerChecks";
import {
  BEACON_ROOTS,
  CONSOLIDATION_REQUESTS,
  HISTORY_STORAGE,
  WITHDRAWAL_REQUESTS,
} from "../../../precompiles/systemContracts";

const CHAIN_ID = 1337n;
const KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const SENDER = createAddressFromPrivateKey(KEY);
const GENESIS_TIME = 1_700_000_000n;
const REVERT_CODE = "0x5f5ffd";

interface Setup {
  common: Common;
  parent: Block;
  state: SafeMerkleStateManager;
  root: Uint8Array;
}

/** A parent block at `number` over the state of `alloc` (plus the system contracts unless replaced). */
async function parentAt(number: bigint, alloc: Record<string, GenesisAccount> = {}): Promise<Setup> {
  const common = createChainCommon(CHAIN_ID);
  const config: GenesisConfig = {
    chainId: CHAIN_ID,
    timestamp: GENESIS_TIME,
    alloc: { [SENDER.toString()]: { balance: 10n ** 21n }, ...alloc },
  };
  const trie = new MerklePatriciaTrie({
    db: new MapDB(),
    useKeyHashing: true,
    common,
    valueEncoding: ValueEncoding.Bytes,
  });
  const state = new SafeMerkleStateManager({ common, trie });
  const root = await writeGenesisState(state, genesisAlloc(config));
  const genesis = createGenesisBlock(config, common, root);
  const header = createBlockHeader({ ...genesis.header.toJSON(), number }, { common });
  return { common, parent: createBlock({ header, withdrawals: [] }, { common }), state, root };
}

function blockchainOf(parent: Block) {
  return {
    async getBlock(n: number | bigint) {
      if (BigInt(n) !== parent.header.number) throw new Error(`no block ${n}`);
      return parent;
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
}

async function produceOn(setup: Setup) {
  const { common, parent, state, root } = setup;
  const vm = await createVM({ common, stateManager: state, blockchain: blockchainOf(parent) as never });
  const tx = createTx(
    {
      type: 2,
      nonce: 0n,
      to: "0x00000000000000000000000000000000000000aa",
      value: 5n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      chainId: CHAIN_ID,
    },
    { common },
  ).sign(KEY);
  return produceBlock({
    vm,
    common,
    parent,
    parentStateRoot: root,
    txs: [tx],
    template: {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      parentBeaconBlockRoot: new Uint8Array(32),
      extraData: new Uint8Array(),
      prevRandao: new Uint8Array(32),
    },
  });
}

describe("the sequencer's chain rules", () => {
  describe("every fork is active from genesis: no mainnet block-number schedule", () => {
    for (const height of [1_920_000n, 1_920_009n, 12_965_000n]) {
      it(`builds block ${height} with the base fee computed from its parent, and a node imports it with full validation`, async () => {
        const setup = await parentAt(height - 1n);
        const mined = await produceOn(setup);
        const { block } = mined.record;
        expect(block.header.number).to.equal(height);
        expect(block.header.baseFeePerGas).to.equal(setup.parent.header.calcNextBaseFee());
        expect(block.transactions).to.have.length(1);
        // What Chain.importBlock does for a block from elsewhere: header rules, then runBlock with block validation.
        checkChildBlock(setup.parent, block);
        const importer = await parentAt(height - 1n);
        const vm = await createVM({
          common: importer.common,
          stateManager: importer.state,
          blockchain: blockchainOf(importer.parent) as never,
        });
        const result = await runBlock(vm, {
          block,
          root: importer.root,
          skipHeaderValidation: true,
          skipHardForkValidation: true,
        });
        expect(result.stateRoot).to.deep.equal(block.header.stateRoot);
      });
    }
  });

  describe("a failed system call stops block building instead of producing an invalid block", () => {
    for (const contract of [WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS]) {
      it(`when the EIP-${contract.eip} contract has no code`, async () => {
        const setup = await parentAt(0n, { [contract.address]: { balance: 1n } });
        await expectSystemCallError(produceOn(setup), contract.eip);
      });

      it(`when the EIP-${contract.eip} call reverts`, async () => {
        const setup = await parentAt(0n, { [contract.address]: { nonce: 1n, code: REVERT_CODE } });
        await expectSystemCallError(produceOn(setup), contract.eip);
      });
    }

    for (const contract of [BEACON_ROOTS, HISTORY_STORAGE]) {
      it(`when the EIP-${contract.eip} address holds code other than the EIP's`, async () => {
        const setup = await parentAt(0n, { [contract.address]: { nonce: 1n, code: REVERT_CODE } });
        await expectSystemCallError(produceOn(setup), contract.eip);
      });
    }
  });
});

describe("a node importing a block", () => {
  it("refuses a block whose EIP-7002 system call reverted, though EthereumJS accepts it", async () => {
    const alloc = {
      [SENDER.toString()]: { balance: 10n ** 21n },
      [WITHDRAWAL_REQUESTS.address]: { nonce: 1n, code: REVERT_CODE as `0x${string}` },
    };
    const follower = await Chain.create({
      genesis: { chainId: CHAIN_ID, timestamp: GENESIS_TIME, alloc },
      now: () => GENESIS_TIME,
    });
    // The block EthereumJS builds on that genesis (what a producer without the system-call check would post).
    const setup = await parentAt(0n, { [WITHDRAWAL_REQUESTS.address]: { nonce: 1n, code: REVERT_CODE } });
    expect(setup.parent.hash()).to.deep.equal(follower.head.hash());
    const vm = await createVM({
      common: setup.common,
      stateManager: setup.state,
      blockchain: blockchainOf(setup.parent) as never,
    });
    let built: Block | undefined;
    vm.events.on("afterBlock", (event: AfterBlockEvent) => {
      built = event.block;
    });
    const header = createBlockHeader(
      {
        parentHash: setup.parent.hash(),
        number: 1n,
        gasLimit: setup.parent.header.gasLimit,
        timestamp: GENESIS_TIME + 1n,
        baseFeePerGas: setup.parent.header.calcNextBaseFee(),
        parentBeaconBlockRoot: new Uint8Array(32),
      },
      { common: setup.common },
    );
    await runBlock(vm, {
      block: new Block(header, [], [], [], { common: setup.common }),
      root: setup.root,
      generate: true,
      skipBlockValidation: true,
      skipHardForkValidation: true,
    });
    const block = new Block(built!.header, [], [], [], { common: follower.common });
    try {
      await follower.importBlock(block);
    } catch (error) {
      expect(error).to.be.instanceOf(InvalidBlockError);
      expect((error as Error).message).to.match(/EIP-7002/);
      expect(follower.headNumber).to.equal(0n);
      return;
    }
    expect.fail("the follower imported a block whose EIP-7002 system call failed");
  });
});

async function expectSystemCallError(promise: Promise<unknown>, eip: number): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(SystemCallError);
    expect((error as SystemCallError).contract.eip).to.equal(eip);
    return;
  }
  expect.fail(`expected the EIP-${eip} system call to stop block building`);
}
