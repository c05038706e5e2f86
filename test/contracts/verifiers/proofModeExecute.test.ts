import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { createBlockFromRLP, createBlockHeaderFromBytesArray } from "@ethereumjs/block";
import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, concatBytes } from "@ethereumjs/util";
import { keccak_256 as keccak256 } from "@noble/hashes/sha3.js";
import { AbiCoder, Interface, hexlify } from "ethers";
import hre from "hardhat";

import {
  EXECUTE_ADDRESS,
  ExecuteError,
  ExecuteErrorCode,
  encodeExecuteResult,
  verifyBlock,
} from "../../../precompiles";
import { maxVerifiableL2GasLimit } from "../../../precompiles/gas";
import { encodeExecutionProofs, encodeProofBundle } from "../../../precompiles/proofs/codec";
import { commitmentToField, executionCommitment } from "../../../precompiles/proofs/commitment";
import type { ExecutionProof } from "../../../precompiles/proofs/types";
import type { ExecuteResult } from "../../../precompiles/codec";
import { checkBlockShape, resultOf } from "../../../precompiles/verifyBlock";
import { bundledCircuitArtifacts } from "../../../rollup-node/provers/committee";
import {
  type ProofModeExecute,
  ProofModeExecute__factory,
  ProofModeLibsHarness__factory,
  type ProvenRollup,
  ProvenRollup__factory,
} from "../../../typechain-types";
import { type TestCommittee, bundle, testCommittee } from "../../../tools/committeeFixture";
import { type EdrL1, startEdrL1 } from "../../../tools/edrL1";
import { TestSigner, tamperBlock } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";
import { fixtureCommitteeProof, fixtureProveCommittee } from "../../support/proofFixtures";

const L2_CHAIN_ID = 912n;
const OTHER_CHAIN_ID = 913n;
const CONFIG = { sequencerInactivityPeriod: 3600, forceInclusionDelay: 3600 };
/** The 352-byte EXECUTE output, as a tuple. */
const EXECUTE_RESULT = "tuple(bytes32,bytes32,bytes32,uint64,uint64,uint64,uint64,uint256,uint256,address,bytes32)";
const executeErrors = {
  interface: new Interface([
    "error ExecuteInvalid(uint8 code, string reason)",
    "error ExecuteMalformedResult(uint256 length)",
  ]),
};
const policyErrors = { interface: new Interface(["error ReexecutionNotAllowed()"]) };

/**
 * A proof from a dishonest quorum: the committee signs `commitment` without re-executing
 * anything. It shows what the contract itself must refuse, whatever the provers attest.
 */
async function signedProof(c: TestCommittee, commitment: bigint): Promise<ExecutionProof> {
  const attestations = [0, 1, 2].map((i) => c.keys[i].sign(i, commitment));
  return fixtureProveCommittee(bundledCircuitArtifacts(), c.committee, commitment, attestations);
}

/** The commitment of the block `blockRlp` claims, on `parentHeader`, for `chainId` (commitment.ts). */
function claimedCommitment(
  chainId: bigint,
  parentHeader: Uint8Array,
  blockRlp: Uint8Array,
  common: L2TestChain["common"],
): bigint {
  const block = createBlockFromRLP(blockRlp, { common, skipConsensusFormatValidation: true });
  return commitmentToField(executionCommitment(chainId, parentHeader, resultOf(block)));
}

/** Header field indices of the Prague/Osaka layout (precompiles/headerRules.ts HEADER_LAYOUT). */
const F = {
  parentHash: 0,
  coinbase: 2,
  stateRoot: 3,
  receiptsRoot: 5,
  number: 8,
  gasLimit: 9,
  gasUsed: 10,
  timestamp: 11,
  baseFee: 15,
  beaconRoot: 19,
} as const;
type RlpTree = Uint8Array | RlpTree[];

/** The block's RLP with `edit` applied to its decoded `[header, transactions, ommers, withdrawals]`. */
function editBlock(blockRlp: Uint8Array, edit: (parts: RlpTree[], header: RlpTree[]) => void): Uint8Array {
  const parts = RLP.decode(blockRlp) as RlpTree[];
  edit(parts, parts[0] as RlpTree[]);
  return RLP.encode(parts as never);
}

const int = (value: bigint): Uint8Array => bigIntToUnpaddedBytes(value);

/**
 * The output a block claims, read from its raw header fields without EthereumJS (which refuses
 * some of the malformed headers tested here): what a dishonest quorum would sign.
 */
function rawClaim(blockRlp: Uint8Array): ExecuteResult {
  const header = (RLP.decode(blockRlp) as RlpTree[])[0] as Uint8Array[];
  const n = (i: number): bigint => bytesToBigInt(header[i]);
  return {
    blockHash: keccak256(RLP.encode(header)),
    stateRoot: header[F.stateRoot],
    receiptsRoot: header[F.receiptsRoot],
    number: n(F.number),
    timestamp: n(F.timestamp),
    gasLimit: n(F.gasLimit),
    gasUsed: n(F.gasUsed),
    baseFeePerGas: n(F.baseFee),
    burnedFees: n(F.baseFee) * n(F.gasUsed),
    coinbase: header[F.coinbase],
    parentBeaconBlockRoot: header[F.beaconRoot],
  };
}

/** The code TypeScript's `checkBlockShape` (EXECUTE's checks before proofs) refuses with, or undefined. */
async function typescriptCode(
  chainId: bigint,
  parentHeader: Uint8Array,
  blockRlp: Uint8Array,
): Promise<number | undefined> {
  try {
    await checkBlockShape({ chainId, parentHeader, block: blockRlp });
    return undefined;
  } catch (error) {
    if (error instanceof ExecuteError) return error.code;
    throw error;
  }
}

describe("EXECUTE's proof mode in Solidity on an L1 without EXECUTE (ProofModeExecute on Hardhat's EDR network)", function () {
  this.timeout(600_000);
  let l1: EdrL1;
  let committees: TestCommittee[];
  let chain: L2TestChain;
  let signer: TestSigner;
  let executor: ProofModeExecute;
  let rollup: ProvenRollup;
  let genesisHeader: Uint8Array;

  function transfer(value: bigint) {
    return signer.tx({ to: "0x000000000000000000000000000000000000aa01", value });
  }

  function advance(parentHeader: Uint8Array, blockRlp: Uint8Array, proofs: readonly ExecutionProof[]) {
    return rollup.advance(
      parentHeader,
      blockRlp,
      "0x",
      proofs.length === 0 ? "0x" : hexlify(encodeExecutionProofs(proofs)),
      0,
    );
  }

  async function honestProofs(
    built: BuiltBlock,
    which: readonly TestCommittee[],
    chainId = L2_CHAIN_ID,
  ): Promise<ExecutionProof[]> {
    return Promise.all(which.map((c) => fixtureCommitteeProof(c, chainId, built, [0, 1, 2])));
  }

  async function expectRefused(tx: Promise<unknown>, code: ExecuteErrorCode): Promise<void> {
    await expect(tx).to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid").withArgs(code, anyValue);
  }

  before(async () => {
    l1 = await startEdrL1(hre);
    committees = await Promise.all([testCommittee(4, 41), testCommittee(4, 42), testCommittee(4, 43)]);
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(17, probe.common);
    chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
    signer = TestSigner.fromSeed(17, chain.common);
    genesisHeader = chain.latest.header.serialize();
    executor = await new ProofModeExecute__factory(l1.signer).deploy(committees.map((c) => hexlify(c.verificationKey)));
    const genesis = chain.latest.header;
    rollup = await new ProvenRollup__factory(l1.signer).deploy(
      L2_CHAIN_ID,
      bytesToHex(genesis.hash()),
      bytesToHex(genesis.stateRoot),
      await l1.signer.getAddress(),
      CONFIG,
      { threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) },
      await executor.getAddress(),
    );
  });

  it("runs on an L1 that has no EXECUTE: a rollup pointed at the precompile cannot advance there", async () => {
    expect(await l1.provider.getCode(EXECUTE_ADDRESS)).to.equal("0x");
    const genesis = chain.latest.header;
    const onPrecompile = await new ProvenRollup__factory(l1.signer).deploy(
      L2_CHAIN_ID,
      bytesToHex(genesis.hash()),
      bytesToHex(genesis.stateRoot),
      await l1.signer.getAddress(),
      CONFIG,
      { threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committees[0].keyHash)] },
      EXECUTE_ADDRESS,
    );
    const built = await chain.buildBlock([], { discard: true });
    const proofs = await honestProofs(built, [committees[0]]);
    // A call to an empty account succeeds with no output: the 352-byte result is missing.
    await expect(
      onPrecompile.advance(built.parentHeader, built.blockRlp, "0x", hexlify(encodeExecutionProofs(proofs)), 0),
    )
      .to.be.revertedWithCustomError(executeErrors, "ExecuteMalformedResult")
      .withArgs(0n);
  });

  it("accepts a block proven under k distinct keys; the head, state root and output are those the proofs committed to", async () => {
    const built = await chain.buildBlock([transfer(1n), transfer(2n)]);
    const proofs = await honestProofs(built, [committees[0], committees[2]]);
    const reexecuted = await verifyBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    });

    const returned = await executor.verify.staticCall(
      L2_CHAIN_ID,
      built.parentHeader,
      built.blockRlp,
      hexlify(
        encodeProofBundle(
          bundle(
            proofs,
            committees.map((c) => c.keyHash),
            2,
          ),
        ),
      ),
    );
    // ethers returns a frozen Result; the calls below take a plain tuple.
    const output = [...returned] as unknown as typeof returned;
    const onChainCommitment = await executor.commitmentOf(L2_CHAIN_ID, built.parentHeader, output);
    expect(onChainCommitment).to.equal(
      commitmentToField(executionCommitment(L2_CHAIN_ID, built.parentHeader, reexecuted)),
    );
    expect(AbiCoder.defaultAbiCoder().encode([EXECUTE_RESULT], [output])).to.equal(
      hexlify(encodeExecuteResult(reexecuted)),
    );

    await expect(advance(built.parentHeader, built.blockRlp, proofs))
      .to.emit(rollup, "BlockAdvanced")
      .withArgs(
        1n,
        bytesToHex(built.block.hash()),
        bytesToHex(reexecuted.stateRoot),
        0n,
        reexecuted.gasUsed,
        reexecuted.burnedFees,
        anyValue,
      );
    expect(await rollup.headHash()).to.equal(bytesToHex(reexecuted.blockHash));
    expect(await rollup.headNumber()).to.equal(1n);
    expect(await rollup.stateRootOf(1n)).to.equal(bytesToHex(reexecuted.stateRoot));
  });

  describe("refusals, for a block whose honest proofs would be accepted", () => {
    let built: BuiltBlock;
    let sibling: BuiltBlock;
    let honest: ExecutionProof[];

    before(async () => {
      // Another block on the same parent; the chain's head stays where it was.
      sibling = await chain.buildBlock([], { discard: true });
      built = await chain.buildBlock([transfer(3n)]);
      honest = await honestProofs(built, [committees[0], committees[1]]);
    });

    it("refuses proofs of another block on the same parent", async () => {
      const proofs = await honestProofs(sibling, [committees[0], committees[1]]);
      await expectRefused(advance(built.parentHeader, built.blockRlp, proofs), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses proofs of this block on another parent", async () => {
      const commitment = claimedCommitment(L2_CHAIN_ID, genesisHeader, built.blockRlp, chain.common);
      const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
      await expectRefused(advance(built.parentHeader, built.blockRlp, proofs), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses proofs of this block for another chain id", async () => {
      const commitment = claimedCommitment(OTHER_CHAIN_ID, built.parentHeader, built.blockRlp, chain.common);
      const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
      await expectRefused(advance(built.parentHeader, built.blockRlp, proofs), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses k - 1 proofs, and the same key twice", async () => {
      await expectRefused(
        advance(built.parentHeader, built.blockRlp, [honest[0]]),
        ExecuteErrorCode.ProofsInsufficient,
      );
      await expectRefused(
        advance(built.parentHeader, built.blockRlp, [honest[0], honest[0]]),
        ExecuteErrorCode.ProofsInsufficient,
      );
    });

    it("refuses the block without proofs: re-execution needs the precompile", async () => {
      // The rollup refuses first (its policy forbids re-execution); the executor, called
      // directly, refuses too.
      await expect(advance(built.parentHeader, built.blockRlp, [])).to.be.revertedWithCustomError(
        policyErrors,
        "ReexecutionNotAllowed",
      );
      await expect(executor.verify(L2_CHAIN_ID, built.parentHeader, built.blockRlp, "0x"))
        .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
        .withArgs(ExecuteErrorCode.ProofsInsufficient, anyValue);
    });

    it("refuses a body whose transactions are not those of the header's root, though the proofs hold for the header", async () => {
      const tampered = tamperBlock(built.block, {}, { transactions: [] });
      expect(
        hexlify(createBlockFromRLP(tampered, { common: chain.common, skipConsensusFormatValidation: true }).hash()),
      ).to.equal(hexlify(built.block.hash()));
      await expectRefused(advance(built.parentHeader, tampered, honest), ExecuteErrorCode.InvalidTransactions);
    });

    it("refuses a header that breaks a parent rule, though a quorum signed it", async () => {
      const header = built.block.header;
      const cases: [Partial<Record<string, unknown>>, ExecuteErrorCode][] = [
        [{ baseFeePerGas: (header.baseFeePerGas ?? 0n) + 1n }, ExecuteErrorCode.InvalidBaseFee],
        [{ timestamp: chain.headerAt(header.number - 1n).timestamp }, ExecuteErrorCode.InvalidTimestamp],
        [{ gasLimit: header.gasLimit + header.gasLimit / 1024n }, ExecuteErrorCode.InvalidGasLimit],
        [{ number: header.number + 1n }, ExecuteErrorCode.ParentMismatch],
      ];
      for (const [fields, code] of cases) {
        const forged = tamperBlock(built.block, fields);
        const commitment = claimedCommitment(L2_CHAIN_ID, built.parentHeader, forged, chain.common);
        const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
        await expectRefused(advance(built.parentHeader, forged, proofs), code);
      }
    });

    /** The code the Solidity mirror's `checkBlockShape` reverts with, or undefined when it accepts. */
    async function solidityCode(parentHeader: Uint8Array, blockRlp: Uint8Array): Promise<number | undefined> {
      try {
        await executor.checkBlockShape(parentHeader, blockRlp);
        return undefined;
      } catch (error) {
        const parsed = executeErrors.interface.parseError((error as { data: string }).data);
        if (parsed?.name !== "ExecuteInvalid") throw error;
        return Number(parsed.args[0]);
      }
    }

    /** Malformed blocks on `built`'s parent, each with the code EXECUTE refuses it with. */
    function malformedBlocks(): { name: string; parent: Uint8Array; block: Uint8Array; code: ExecuteErrorCode }[] {
      const base = built.blockRlp;
      const gasLimit = built.block.header.gasLimit;
      const headerRlp = RLP.encode((RLP.decode(base) as RlpTree[])[0] as never);
      // A parent whose gas limit already exceeds what EXECUTE may verify: its child may keep it.
      const parentFields = RLP.decode(built.parentHeader) as Uint8Array[];
      parentFields[F.gasLimit] = int(maxVerifiableL2GasLimit() + 1000n);
      const bigParent = RLP.encode(parentFields);
      const bigParentBaseFee = createBlockHeaderFromBytesArray(parentFields, {
        common: chain.common,
        skipConsensusFormatValidation: true,
      }).calcNextBaseFee();
      const cases = [
        {
          name: "gasUsed above gasLimit",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.gasUsed] = int(gasLimit + 1n);
          },
        },
        {
          name: "gasLimit 2^63 (EIP-1985), number also wrong",
          code: ExecuteErrorCode.InvalidGasLimit,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.gasLimit] = int(2n ** 63n);
            h[F.number] = int(built.block.header.number + 1n);
          },
        },
        {
          name: "gasLimit 2^64 - 1",
          code: ExecuteErrorCode.InvalidGasLimit,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.gasLimit] = int(2n ** 64n - 1n);
          },
        },
        {
          name: "coinbase of 19 bytes",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.coinbase] = (h[F.coinbase] as Uint8Array).subarray(1);
          },
        },
        {
          name: "stateRoot of 31 bytes",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.stateRoot] = (h[F.stateRoot] as Uint8Array).subarray(1);
          },
        },
        {
          name: "gasUsed with a leading zero",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.gasUsed] = concatBytes(new Uint8Array(1), h[F.gasUsed] as Uint8Array);
          },
        },
        {
          name: "number of 9 bytes",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[F.number] = concatBytes(new Uint8Array([1]), new Uint8Array(8));
          },
        },
        {
          name: "difficulty as a list",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h[7] = [];
          },
        },
        {
          name: "a 22nd header field",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h.push(new Uint8Array(32));
          },
        },
        {
          name: "20 header fields",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (_p: RlpTree[], h: RlpTree[]) => {
            h.pop();
          },
        },
        {
          name: "an ommer",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (p: RlpTree[]) => {
            p[2] = [RLP.decode(built.parentHeader) as RlpTree];
          },
        },
        {
          name: "ommers as bytes",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (p: RlpTree[]) => {
            p[2] = new Uint8Array([1]);
          },
        },
        {
          name: "a withdrawal",
          code: ExecuteErrorCode.UnsupportedContent,
          edit: (p: RlpTree[]) => {
            p[3] = [[int(1n), int(1n), new Uint8Array(20), int(1n)]];
          },
        },
        {
          name: "withdrawals as bytes",
          code: ExecuteErrorCode.UnsupportedContent,
          edit: (p: RlpTree[]) => {
            p[3] = new Uint8Array([1]);
          },
        },
        {
          name: "a fifth block part",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (p: RlpTree[]) => {
            p.push([]);
          },
        },
        {
          name: "no withdrawals part",
          code: ExecuteErrorCode.InvalidHeader,
          edit: (p: RlpTree[]) => {
            p.pop();
          },
        },
        {
          name: "transactions as bytes",
          code: ExecuteErrorCode.InvalidTransactions,
          edit: (p: RlpTree[]) => {
            p[1] = new Uint8Array([1]);
          },
        },
        {
          name: "a typed transaction whose payload is not RLP",
          code: ExecuteErrorCode.InvalidTransactions,
          edit: (p: RlpTree[]) => {
            p[1] = [new Uint8Array([0x02, 0x81, 0x05])];
          },
        },
      ].map(({ name, code, edit }) => ({ name, code, parent: built.parentHeader, block: editBlock(base, edit) }));
      return [
        ...cases,
        {
          name: "gasLimit above the verifiable bound, on a parent with the same limit",
          code: ExecuteErrorCode.InvalidGasLimit,
          parent: bigParent,
          block: editBlock(base, (_p, h) => {
            h[F.parentHash] = keccak256(bigParent);
            h[F.gasLimit] = parentFields[F.gasLimit];
            h[F.baseFee] = int(bigParentBaseFee);
          }),
        },
        {
          // 0x81 0x05: a single byte below 0x80 with a prefix, which RLP forbids.
          name: "a body that is not valid RLP under a decodable header",
          code: ExecuteErrorCode.InvalidTransactions,
          parent: built.parentHeader,
          block: concatBytes(listPrefix(headerRlp.length + 4), headerRlp, new Uint8Array([0x81, 0x05, 0xc0, 0xc0])),
        },
      ];
    }

    function listPrefix(length: number): Uint8Array {
      if (length <= 55) return new Uint8Array([0xc0 + length]);
      const size = bigIntToUnpaddedBytes(BigInt(length));
      return concatBytes(new Uint8Array([0xf7 + size.length]), size);
    }

    it("the verifiable gas-limit bound is maxVerifiableL2GasLimit() of precompiles/gas.ts", async () => {
      const harness = await new ProofModeLibsHarness__factory(l1.signer).deploy();
      expect(await harness.maxVerifiableL2GasLimit()).to.equal(maxVerifiableL2GasLimit());
    });

    it("refuses each malformed header or body with the code TypeScript's checkBlockShape gives it", async () => {
      for (const { name, parent, block, code } of malformedBlocks()) {
        expect(await typescriptCode(L2_CHAIN_ID, parent, block), `TypeScript, ${name}`).to.equal(code);
        expect(await solidityCode(parent, block), `Solidity, ${name}`).to.equal(code);
      }
    });

    it("refuses header-rule breaches a dishonest quorum signed, with EXECUTE's code", async () => {
      const picked = malformedBlocks().filter(({ name }) =>
        ["gasUsed with a leading zero", "gasLimit 2^63 (EIP-1985), number also wrong", "a 22nd header field"].includes(
          name,
        ),
      );
      expect(picked).to.have.length(3);
      for (const { name, block, code } of picked) {
        const commitment = commitmentToField(executionCommitment(L2_CHAIN_ID, built.parentHeader, rawClaim(block)));
        const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
        await expectRefused(advance(built.parentHeader, block, proofs), code).catch((error: Error) => {
          throw new Error(`${name}: ${error.message}`);
        });
      }
    });

    it("then accepts the block itself on its honest proofs", async () => {
      await expect(advance(built.parentHeader, built.blockRlp, honest))
        .to.emit(rollup, "BlockAdvanced")
        .withArgs(2n, bytesToHex(built.block.hash()), anyValue, 0n, anyValue, anyValue, anyValue);
    });
  });

  describe("deployment", () => {
    it("refuses a policy with a key the executor has no verifier for, or that allows re-execution", async () => {
      const genesis = chain.headerAt(0n);
      const deploy = (policy: { threshold: number; allowReexecution: boolean; acceptedKeys: string[] }) =>
        new ProvenRollup__factory(l1.signer).deploy(
          L2_CHAIN_ID,
          bytesToHex(genesis.hash()),
          bytesToHex(genesis.stateRoot),
          l1.signer.address,
          CONFIG,
          policy,
          executor.target,
        );
      const stranger = `0x${"11".repeat(32)}`;
      await expect(
        deploy({ threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committees[0].keyHash), stranger] }),
      )
        .to.be.revertedWithCustomError(rollup, "NoVerifierForKey")
        .withArgs(stranger);
      await expect(deploy({ threshold: 1, allowReexecution: true, acceptedKeys: [hexlify(committees[0].keyHash)] }))
        .to.be.revertedWithCustomError(rollup, "ReexecutionUnavailable")
        .withArgs(executor.target);
    });
  });
});
