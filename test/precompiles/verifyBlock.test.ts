import { bytesToHex, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";

import { ExecuteError, ExecuteErrorCode, encodeWitness, executeErrorName, verifyBlock } from "../../precompiles";
import {
  BLOCKHASH_ADDRESS,
  BLOCKHASH_CODE,
  STORE_ADDRESS,
  STORE_AND_LOG_CODE,
  STORE_AND_LOG_INITCODE,
  TestSigner,
  storeCall,
  tamperBlock,
  word,
} from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 901n;
const ONE_ETH = 10n ** 18n;

interface Fixture {
  chain: L2TestChain;
  alice: TestSigner;
  bob: TestSigner;
}

async function newChain(): Promise<Fixture> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(1, probe.common);
  const bob = TestSigner.fromSeed(2, probe.common);
  const chain = await L2TestChain.create(CHAIN_ID, [
    { address: alice.address.toString(), balance: 100n * ONE_ETH },
    { address: bob.address.toString(), balance: 100n * ONE_ETH },
    // Several slots, so that deleting one collapses a branch node of the storage trie.
    {
      address: STORE_ADDRESS,
      code: STORE_AND_LOG_CODE,
      storage: { [`0x${word(1)}`]: "0x01", [`0x${word(2)}`]: "0x02", [`0x${word(3)}`]: "0x03" },
    },
    { address: BLOCKHASH_ADDRESS, code: BLOCKHASH_CODE },
  ]);
  return { chain, alice: TestSigner.fromSeed(1, chain.common), bob: TestSigner.fromSeed(2, chain.common) };
}

function verify(
  built: BuiltBlock,
  overrides: { parentHeader?: Uint8Array; block?: Uint8Array; witness?: Uint8Array; chainId?: bigint } = {},
) {
  return verifyBlock({
    chainId: overrides.chainId ?? CHAIN_ID,
    parentHeader: overrides.parentHeader ?? built.parentHeader,
    block: overrides.block ?? built.blockRlp,
    witness: overrides.witness ?? built.witness,
  });
}

async function expectRejected(promise: Promise<unknown>, code: ExecuteErrorCode): Promise<ExecuteError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ExecuteError);
    const executeError = error as ExecuteError;
    expect(executeErrorName(executeError.code), executeError.message).to.equal(executeErrorName(code));
    return executeError;
  }
  expect.fail(`expected rejection with ${executeErrorName(code)}`);
}

describe("verifyBlock (stateless re-execution)", () => {
  describe("accepts", () => {
    it("a block of ETH transfers and returns the header's commitments", async () => {
      const { chain, alice, bob } = await newChain();
      const built = await chain.buildBlock([
        alice.tx({ to: bob.address.toString(), value: ONE_ETH }),
        bob.tx({ to: "0x00000000000000000000000000000000000000aa", value: 5n }),
        alice.legacyTx({ to: "0x00000000000000000000000000000000000000bb", value: 7n }),
      ]);
      const result = await verify(built);
      expect(bytesToHex(result.blockHash)).to.equal(bytesToHex(built.block.hash()));
      expect(bytesToHex(result.stateRoot)).to.equal(bytesToHex(built.block.header.stateRoot));
      expect(result.number).to.equal(1n);
      expect(result.gasUsed).to.equal(63_000n);
      expect(result.burnedFees).to.equal(63_000n * built.block.header.baseFeePerGas!);
    });

    it("an empty block", async () => {
      const { chain } = await newChain();
      const result = await verify(await chain.buildBlock([]));
      expect(result.gasUsed).to.equal(0n);
    });

    it("a contract deployment, then storage writes and logs", async () => {
      const { chain, alice } = await newChain();
      await verify(await chain.buildBlock([alice.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n })]));
      const built = await chain.buildBlock([alice.tx({ to: STORE_ADDRESS, data: storeCall(7, 0xbeef) })]);
      const result = await verify(built);
      expect(result.gasUsed > 21_000n).to.equal(true);
      expect(built.block.header.logsBloom.some((b) => b !== 0)).to.equal(true);
    });

    it("a storage deletion that collapses a branch of the storage trie", async () => {
      const { chain, alice } = await newChain();
      const built = await chain.buildBlock([alice.tx({ to: STORE_ADDRESS, data: storeCall(2, 0) })]);
      await verify(built);
    });

    it("BLOCKHASH of ancestors, authenticated through the witness headers", async () => {
      const { chain, alice } = await newChain();
      for (let i = 0; i < 3; i++) await chain.buildBlock([]);
      const built = await chain.buildBlock([alice.tx({ to: BLOCKHASH_ADDRESS, data: `0x${word(1)}` })]);
      // Blocks 1 and 2 link block 1 to the parent (block 3), which travels separately.
      expect(built.witnessParts.headers.length).to.equal(2);
      await verify(built);
    });

    it("an EIP-7702 delegation and a call through it", async () => {
      const { chain, alice, bob } = await newChain();
      const built = await chain.buildBlock([alice.delegationTx(bob, STORE_ADDRESS, storeCall(1, 42))]);
      expect(built.block.transactions[0].type).to.equal(4);
      await verify(built);
    });

    it("a witness padded with unrelated nodes", async () => {
      const { chain, alice, bob } = await newChain();
      const built = await chain.buildBlock([alice.tx({ to: bob.address.toString(), value: 1n })]);
      const extra = RLP.encode([hexToBytes(`0x${word(123)}`), hexToBytes(`0x${word(456)}`)]);
      const witness = encodeWitness({ ...built.witnessParts, state: [...built.witnessParts.state, extra] });
      await verify(built, { witness });
    });
  });

  describe("rejects", () => {
    let fixture: Fixture;
    let built: BuiltBlock;

    beforeEach(async () => {
      fixture = await newChain();
      const { chain, alice } = fixture;
      built = await chain.buildBlock([alice.tx({ to: STORE_ADDRESS, data: storeCall(9, 99) })]);
    });

    it("a block whose state root differs", async () => {
      await expectRejected(
        verify(built, { block: tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(1)}`) }) }),
        ExecuteErrorCode.StateRootMismatch,
      );
    });

    it("a block whose receipts root differs", async () => {
      await expectRejected(
        verify(built, { block: tamperBlock(built.block, { receiptTrie: hexToBytes(`0x${word(1)}`) }) }),
        ExecuteErrorCode.ReceiptsRootMismatch,
      );
    });

    it("a block whose logs bloom differs", async () => {
      await expectRejected(
        verify(built, { block: tamperBlock(built.block, { logsBloom: new Uint8Array(256) }) }),
        ExecuteErrorCode.LogsBloomMismatch,
      );
    });

    it("a block whose gasUsed differs, naming each transaction's gas", async () => {
      const gasUsed = built.block.header.gasUsed + 1n;
      const error = await expectRejected(
        verify(built, { block: tamperBlock(built.block, { gasUsed }) }),
        ExecuteErrorCode.GasUsedMismatch,
      );
      // One transaction: its gas is the block's.
      const gas = built.block.header.gasUsed;
      expect(error.message).to.equal(
        `gasUsed mismatch: header has ${gasUsed}, execution used ${gas}; gas of each transaction (cumulative): #0 ${gas} (${gas})`,
      );
    });

    it("a witness that lacks a trie node the execution reads", async () => {
      for (let i = 0; i < built.witnessParts.state.length; i++) {
        const state = built.witnessParts.state.filter((_, j) => j !== i);
        await expectRejected(
          verify(built, { witness: encodeWitness({ ...built.witnessParts, state }) }),
          ExecuteErrorCode.WitnessIncomplete,
        );
      }
    });

    it("a witness that lacks a contract's code", async () => {
      const witness = encodeWitness({
        ...built.witnessParts,
        codes: built.witnessParts.codes.filter((c) => bytesToHex(c) !== STORE_AND_LOG_CODE),
      });
      await expectRejected(verify(built, { witness }), ExecuteErrorCode.WitnessIncomplete);
    });

    it("a witness that lacks an ancestor header BLOCKHASH reads", async () => {
      const { chain, alice } = fixture;
      await chain.buildBlock([]);
      const withHash = await chain.buildBlock([alice.tx({ to: BLOCKHASH_ADDRESS, data: `0x${word(1)}` })]);
      const witness = encodeWitness({ ...withHash.witnessParts, headers: [] });
      await expectRejected(verify(withHash, { witness }), ExecuteErrorCode.WitnessIncomplete);
    });

    it("a tampered transaction", async () => {
      const { bob } = fixture;
      const forged = bob.tx({ to: STORE_ADDRESS, data: storeCall(9, 100) });
      const block = tamperBlock(built.block, {}, { transactions: [forged] });
      await expectRejected(verify(built, { block }), ExecuteErrorCode.InvalidTransactions);
    });

    it("a blob transaction", async () => {
      // Built by hand: EthereumJS refuses to construct a blob transaction without a KZG library.
      const fields = [
        CHAIN_ID,
        0n,
        1n,
        10n ** 11n,
        21_000n,
        hexToBytes(STORE_ADDRESS),
        0n,
        new Uint8Array(),
        [],
        1n,
        [hexToBytes(`0x01${"00".repeat(31)}`)],
        1n,
        1n,
        1n,
      ];
      const blobTx = new Uint8Array([0x03, ...RLP.encode(fields)]);
      const block = RLP.encode([built.block.header.raw(), [blobTx], [], []]);
      await expectRejected(verify(built, { block }), ExecuteErrorCode.UnsupportedContent);
    });

    it("a block with withdrawals", async () => {
      const withdrawals = [
        { index: 0n, validatorIndex: 0n, address: createAddressFromString(STORE_ADDRESS), amount: 1n },
      ];
      const block = tamperBlock(built.block, {}, { withdrawals });
      await expectRejected(verify(built, { block }), ExecuteErrorCode.UnsupportedContent);
    });

    it("a parent that does not match", async () => {
      const { chain } = fixture;
      const next = await chain.buildBlock([]);
      await expectRejected(verify(next, { parentHeader: built.parentHeader }), ExecuteErrorCode.ParentMismatch);
    });

    it("a wrong base fee", async () => {
      const baseFeePerGas = built.block.header.baseFeePerGas! + 1n;
      await expectRejected(
        verify(built, { block: tamperBlock(built.block, { baseFeePerGas }) }),
        ExecuteErrorCode.InvalidBaseFee,
      );
    });

    it("a timestamp not above the parent's", async () => {
      const timestamp = built.block.header.timestamp - 1n;
      await expectRejected(
        verify(built, { block: tamperBlock(built.block, { timestamp }) }),
        ExecuteErrorCode.InvalidTimestamp,
      );
    });

    it("a gas limit that jumps past the EIP-1559 bound", async () => {
      const gasLimit = built.block.header.gasLimit * 2n;
      await expectRejected(
        verify(built, { block: tamperBlock(built.block, { gasLimit }) }),
        ExecuteErrorCode.InvalidGasLimit,
      );
    });

    it("transactions signed for another chain", async () => {
      await expectRejected(verify(built, { chainId: CHAIN_ID + 1n }), ExecuteErrorCode.InvalidTransactions);
    });

    it("garbage in place of the block, the parent header or the witness", async () => {
      const garbage = hexToBytes("0xdeadbeef");
      await expectRejected(verify(built, { block: garbage }), ExecuteErrorCode.MalformedInput);
      await expectRejected(verify(built, { parentHeader: garbage }), ExecuteErrorCode.MalformedInput);
      await expectRejected(verify(built, { witness: garbage }), ExecuteErrorCode.MalformedInput);
      await expectRejected(verify(built, { witness: RLP.encode([[], []]) }), ExecuteErrorCode.MalformedInput);
    });
  });
});
