import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { expect } from "chai";

import {
  maxVerifiableL2GasLimit,
  ExecuteError,
  ExecuteErrorCode,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
  executeErrorName,
  isBlockInvalid,
  verifyBlock,
} from "../../precompiles";
import {
  BEACON_ROOTS,
  CONSOLIDATION_REQUESTS,
  HISTORY_STORAGE,
  SYSTEM_CONTRACTS,
  WITHDRAWAL_REQUESTS,
} from "../../precompiles/systemContracts";
import { contractsAcceptAsBlock } from "../../tools/blockHeadersReader";
import { callExecute } from "../../tools/executeCall";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../../tools/l2TestChain";

const CHAIN_ID = 903n;
const ONE_ETH = 10n ** 18n;
const RECIPIENT = "0x00000000000000000000000000000000000000aa";
/** Heights at which Ethereum mainnet scheduled a fork by block number. */
const DAO_FORK = 1_920_000n;
const LONDON = 12_965_000n;
/** Runtime code that reverts at once (PUSH0 PUSH0 REVERT). */
const REVERT_CODE = "0x5f5ffd";
/** Header field indexes (identical in every fork). */
const GAS_USED = 10;

function verify(built: BuiltBlock, block: Uint8Array = built.blockRlp) {
  return verifyBlock({ chainId: CHAIN_ID, parentHeader: built.parentHeader, block, witness: built.witness });
}

async function expectInvalid(promise: Promise<unknown>, code: ExecuteErrorCode): Promise<ExecuteError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ExecuteError);
    const e = error as ExecuteError;
    expect(executeErrorName(e.code), e.message).to.equal(executeErrorName(code));
    expect(isBlockInvalid(e.code), "an invalid block must get a code >= 64").to.equal(true);
    return e;
  }
  expect.fail(`expected ${executeErrorName(code)}`);
}

/** The block RLP with header field `index` replaced (no validation: the bytes a proposer could post). */
function withHeaderField(blockRlp: Uint8Array, index: number, value: bigint | Uint8Array): Uint8Array {
  const block = RLP.decode(blockRlp) as unknown as Uint8Array[][];
  const header = [...(block[0] as Uint8Array[])];
  header[index] = typeof value === "bigint" ? bigIntToUnpaddedBytes(value) : value;
  return RLP.encode([header, ...block.slice(1)] as never);
}

/** An RLP list prefix followed by `items`, raw: the items need not be valid RLP inside. */
function rawList(items: readonly Uint8Array[]): Uint8Array {
  const payload = Uint8Array.from(items.flatMap((item) => [...item]));
  if (payload.length <= 55) return Uint8Array.from([0xc0 + payload.length, ...payload]);
  const lengthBytes = bigIntToUnpaddedBytes(BigInt(payload.length));
  return Uint8Array.from([0xf7 + lengthBytes.length, ...lengthBytes, ...payload]);
}

async function chainWith(accounts: readonly TestAccount[], options: Parameters<typeof L2TestChain.create>[2] = {}) {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(1, probe.common);
  const chain = await L2TestChain.create(
    CHAIN_ID,
    [{ address: alice.address.toString(), balance: 100n * ONE_ETH }, ...accounts],
    options,
  );
  return { chain, alice: TestSigner.fromSeed(1, chain.common) };
}

/** The real EXECUTE precompile's verdict on `block` (undefined when it accepts), called as an L1 contract would. */
async function executeVerdict(
  built: BuiltBlock,
  block: Uint8Array,
): Promise<{ code: number; reason: string } | undefined> {
  const data = encodeExecuteInput({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block,
    witness: built.witness,
    proofs: new Uint8Array(),
  });
  const execResult = await callExecute(createExecutePrecompile(), data, { gasLimit: 1_000_000_000n });
  return execResult.exceptionError === undefined ? undefined : decodeExecuteInvalid(execResult.returnValue);
}

describe("consensus rules of a native L2 block", () => {
  describe("every fork is active from genesis: mainnet's block-number schedule does not apply", () => {
    for (const height of [DAO_FORK, DAO_FORK + 9n, LONDON]) {
      it(`a block at height ${height} is built and verified like any other`, async () => {
        const { chain, alice } = await chainWith([], { number: height - 1n });
        const built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
        expect(built.block.header.number).to.equal(height);
        const result = await verify(built);
        expect(result.number).to.equal(height);
      });
    }
  });

  describe("a header that breaks a rule is invalid (code >= 64), never 'could not be checked'", () => {
    let built: BuiltBlock;
    before(async () => {
      const { chain, alice } = await chainWith([]);
      built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
    });

    it("gasUsed above gasLimit is an InvalidHeader", async () => {
      const gasUsed = built.block.header.gasLimit + 1n;
      await expectInvalid(
        verify(built, withHeaderField(built.blockRlp, GAS_USED, gasUsed)),
        ExecuteErrorCode.InvalidHeader,
      );
    });

    it("a transaction posted as a byte string that is not a typed transaction (empty, type 0, a wrapped legacy list) is InvalidTransactions, as in the execution specs", async () => {
      const [header, txs, ommers, withdrawals] = RLP.decode(built.blockRlp) as unknown as [
        Uint8Array[],
        Uint8Array[],
        unknown[],
        unknown[],
      ];
      const typed = txs[0];
      const wrappedLegacy = RLP.encode(RLP.decode(typed.subarray(1)) as never);
      for (const tx of [new Uint8Array(), Uint8Array.from([0, ...typed.subarray(1)]), wrappedLegacy]) {
        await expectInvalid(
          verify(built, RLP.encode([header, [tx], ommers, withdrawals] as never)),
          ExecuteErrorCode.InvalidTransactions,
        );
      }
    });

    it("a block with more transactions than its gas limit holds (gasLimit / 21,000) is InvalidTransactions, decided on the count before any is decoded", async () => {
      const [header, , ommers, withdrawals] = RLP.decode(built.blockRlp) as unknown as [
        Uint8Array[],
        unknown[],
        unknown[],
        unknown[],
      ];
      const holds = Number(built.block.header.gasLimit / 21_000n);
      // Items that are not even transactions: the count alone decides, so nothing is decoded or recovered.
      const junk = Array.from({ length: holds + 1 }, () => Uint8Array.of(0x02, 0xc0));
      const error = await expectInvalid(
        verify(built, RLP.encode([header, junk, ommers, withdrawals] as never)),
        ExecuteErrorCode.InvalidTransactions,
      );
      expect(error.message).to.contain(`more than its gas limit ${built.block.header.gasLimit} holds (${holds}`);
      // At the count the block holds, it is the items themselves that are refused.
      const atLimit = await expectInvalid(
        verify(built, RLP.encode([header, junk.slice(1), ommers, withdrawals] as never)),
        ExecuteErrorCode.InvalidTransactions,
      );
      expect(atLimit.message).to.not.contain("holds");
    });

    it("a block with ommers is an InvalidHeader", async () => {
      const block = RLP.decode(built.blockRlp) as unknown as unknown[];
      const withOmmer = RLP.encode([block[0], block[1], [RLP.decode(built.parentHeader)], block[3]] as never);
      await expectInvalid(verify(built, withOmmer), ExecuteErrorCode.InvalidHeader);
    });

    it("a header with a field too many or too few, or a field of the wrong width, is an InvalidHeader", async () => {
      const block = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
      const header = block[0] as Uint8Array[];
      const tooMany = RLP.encode([[...header, new Uint8Array(32)], ...block.slice(1)] as never);
      const tooFew = RLP.encode([header.slice(0, -1), ...block.slice(1)] as never);
      const shortMixHash = withHeaderField(built.blockRlp, 13, new Uint8Array(31));
      for (const bytes of [tooMany, tooFew, shortMixHash])
        await expectInvalid(verify(built, bytes), ExecuteErrorCode.InvalidHeader);
    });

    it("a block whose header decodes but whose body is not valid RLP is invalid: the rollup contracts read only the header", async () => {
      const block = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
      const header = RLP.encode(block[0] as never);
      const nonCanonical = Uint8Array.from([0xc2, 0x81, 0x05]); // a one-byte string below 0x80 must not carry a prefix
      const payload = Uint8Array.from([...header, ...nonCanonical, 0xc0, 0xc0]);
      const lengthBytes = bigIntToUnpaddedBytes(BigInt(payload.length));
      const bytes = Uint8Array.from([0xf7 + lengthBytes.length, ...lengthBytes, ...payload]);
      await expectInvalid(verify(built, bytes), ExecuteErrorCode.InvalidTransactions);
    });

    it("a block the contracts accept whose header holds a field that is not valid RLP inside is an InvalidHeader, not MalformedInput", async () => {
      // BlockHeaders.decode (propose, advance) checks only the length prefixes of the block's items
      // and of the header's fields, and reads fields 0..19: a last field (requestsHash) that is a
      // list whose inner item claims 5 bytes but has 1 passes it, so the bytes can be posted.
      const block = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
      const header = block[0] as Uint8Array[];
      expect(header.length).to.equal(21);
      const brokenInside = Uint8Array.of(0xc2, 0xc5, 0x00);
      const headerBytes = rawList([...header.slice(0, 20).map((field) => RLP.encode(field)), brokenInside]);
      const bytes = rawList([headerBytes, ...block.slice(1).map((part) => RLP.encode(part as never))]);
      expect(contractsAcceptAsBlock(bytes), "the contracts' reader accepts these bytes").to.equal(true);
      expect(() => RLP.decode(bytes)).to.throw();
      await expectInvalid(verify(built, bytes), ExecuteErrorCode.InvalidHeader);
      expect((await executeVerdict(built, bytes))?.code).to.equal(ExecuteErrorCode.InvalidHeader);
    });

    it("bytes whose length prefixes make no header list (a string header, a remainder, an empty list) name no block: MalformedInput", async () => {
      const block = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
      const headerBytes = RLP.encode(block[0] as never);
      const body = block.slice(1).map((part) => RLP.encode(part as never));
      const headerAsString = Uint8Array.from([0xb9, headerBytes[1], headerBytes[2], ...headerBytes.subarray(3)]);
      const remainder = Uint8Array.from([...built.blockRlp, 0x00]);
      for (const bytes of [rawList([headerAsString, ...body]), remainder, rawList([])]) {
        expect(contractsAcceptAsBlock(bytes)).to.equal(false);
        expect((await executeVerdict(built, bytes))?.code).to.equal(ExecuteErrorCode.MalformedInput);
      }
    });

    it("a gas limit of 2^63 or more is an InvalidGasLimit (EIP-1985), even where EXECUTE's budget would allow it", async () => {
      const limit = 2n ** 63n;
      const { chain, alice } = await chainWith([], { gasLimit: limit });
      const big = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
      expect(big.block.header.gasLimit).to.equal(limit);
      await expectInvalid(
        verifyBlock({
          chainId: CHAIN_ID,
          parentHeader: big.parentHeader,
          block: big.blockRlp,
          witness: big.witness,
          maxGasLimit: 2n ** 64n,
        }),
        ExecuteErrorCode.InvalidGasLimit,
      );
    });

    it("a gas limit above what EXECUTE may verify in one L1 block is an InvalidGasLimit, reported before the budget is charged", async () => {
      const budget = maxVerifiableL2GasLimit();
      const { chain, alice } = await chainWith([], { gasLimit: budget + 1n });
      const big = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
      expect(big.block.header.gasLimit).to.equal(budget + 1n);
      await expectInvalid(verify(big), ExecuteErrorCode.InvalidGasLimit);
      // Through the precompile: the verdict is the rule's (challengeable), not BudgetExhausted (3).
      expect((await executeVerdict(big, big.blockRlp))?.code).to.equal(ExecuteErrorCode.InvalidGasLimit);
      // At exactly the budget the block is valid.
      const { chain: atBudget, alice: a2 } = await chainWith([], { gasLimit: budget });
      const ok = await atBudget.buildBlock([a2.tx({ to: RECIPIENT, value: 5n })]);
      expect((await verify(ok)).gasLimit).to.equal(budget);
    });
  });

  describe("system calls (execution specs: EIP-7002/7251 calls are checked, EIP-4788/2935 are not)", () => {
    const others = (skip: string) =>
      SYSTEM_CONTRACTS.filter((c) => c.address !== skip).map((c) => ({ address: c.address, code: c.code }));

    for (const contract of [WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS]) {
      it(`a block whose EIP-${contract.eip} system contract has no code is invalid (SystemCallFailed)`, async () => {
        const { chain, alice } = await chainWith(others(contract.address), { withSystemContracts: false });
        const built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
        await expectInvalid(verify(built), ExecuteErrorCode.SystemCallFailed);
      });

      it(`a block whose EIP-${contract.eip} system contract is an account without code is invalid`, async () => {
        const { chain, alice } = await chainWith(
          [...others(contract.address), { address: contract.address, balance: 1n }],
          { withSystemContracts: false },
        );
        const built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
        await expectInvalid(verify(built), ExecuteErrorCode.SystemCallFailed);
      });

      it(`a block whose EIP-${contract.eip} system call reverts is invalid`, async () => {
        const { chain, alice } = await chainWith(
          [...others(contract.address), { address: contract.address, code: REVERT_CODE }],
          { withSystemContracts: false },
        );
        const built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
        await expectInvalid(verify(built), ExecuteErrorCode.SystemCallFailed);
      });
    }

    for (const contract of [BEACON_ROOTS, HISTORY_STORAGE]) {
      it(`a block on a chain without the EIP-${contract.eip} contract is valid (that call targets an empty account, and it is unchecked)`, async () => {
        const { chain, alice } = await chainWith(others(contract.address), { withSystemContracts: false });
        const built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
        expect((await verify(built)).number).to.equal(1n);
      });

      it(`a chain whose EIP-${contract.eip} address holds other code is refused (SystemCallFailed): EthereumJS would not run that code`, async () => {
        const { chain, alice } = await chainWith(
          [...others(contract.address), { address: contract.address, code: REVERT_CODE }],
          { withSystemContracts: false },
        );
        const built = await chain.buildBlock([alice.tx({ to: RECIPIENT, value: 5n })]);
        await expectInvalid(verify(built), ExecuteErrorCode.SystemCallFailed);
      });
    }
  });
});
