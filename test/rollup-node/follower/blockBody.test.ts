import { expect } from "chai";
import { Interface, type Provider, concat, getBytes, hexlify, keccak256 } from "ethers";

import { OPTIMISTIC_ROLLUP_INTERFACE, ROLLUP_INTERFACE } from "../../../rollup-node/bridge/contracts";
import {
  type FoundBody,
  findBlockBodies,
  findBlockBodiesInLogs,
  MAX_HEADER_BYTES,
  fetchBlockBodies,
  findBlockBody,
  pickBody,
  scanCalldataForBlock,
} from "../../../rollup-node/follower/blockBody";
import { TestSigner, tamperBlock } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";

const CHAIN_ID = 903n;
/** A contract that passes a call on (a multisig, a forwarder): the rollup sees another msg.sender and calldata. */
const FORWARDER = new Interface([
  "function forward(address target, bytes data)",
  "function forwardMany(address target, bytes[] calls)",
]);
const ROLLUP = "0x00000000000000000000000000000000000e110b";

describe("follower: finding an accepted block's body in L1 calldata", function () {
  this.timeout(60_000);
  let blocks: BuiltBlock[];

  before(async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const signer = TestSigner.fromSeed(7, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: signer.address.toString(), balance: 10n ** 20n }]);
    blocks = [];
    for (let i = 0; i < 2; i++)
      blocks.push(
        await chain.buildBlock([
          signer.tx({ to: "0x000000000000000000000000000000000000beef", value: 1n }),
          signer.tx({ to: "0x000000000000000000000000000000000000cafe", value: 2n }),
        ]),
      );
  });

  const hashOf = (b: BuiltBlock): string => hexlify(b.block.hash());
  const advance = (b: BuiltBlock, proofs = "0x"): string =>
    ROLLUP_INTERFACE.encodeFunctionData("advance", [b.parentHeader, b.blockRlp, b.witness, proofs, 0]);

  it("decodes a direct advance: the block and its witness", () => {
    const b = blocks[0] as BuiltBlock;
    const found = findBlockBody(advance(b), hashOf(b));
    expect(found?.via).to.equal("rollup-call");
    expect(hexlify(found?.blockRlp as Uint8Array)).to.equal(hexlify(b.blockRlp));
    expect(hexlify(found?.witness as Uint8Array)).to.equal(hexlify(b.witness));
  });

  it("decodes a proof-mode advance (proofs, empty witness): the block, and no witness", () => {
    const b = blocks[0] as BuiltBlock;
    const calldata = ROLLUP_INTERFACE.encodeFunctionData("advance", [b.parentHeader, b.blockRlp, "0x", "0x1234", 0]);
    const found = findBlockBody(calldata, hashOf(b));
    expect(found?.via).to.equal("rollup-call");
    expect(hexlify(found?.blockRlp as Uint8Array)).to.equal(hexlify(b.blockRlp));
    expect(found?.witness).to.equal(undefined);
  });

  it("decodes a direct propose with its committed witness", () => {
    const b = blocks[1] as BuiltBlock;
    const found = findBlockBody(
      OPTIMISTIC_ROLLUP_INTERFACE.encodeFunctionData("propose", [b.parentHeader, b.blockRlp, b.witness, 0]),
      hashOf(b),
    );
    expect(found?.via).to.equal("rollup-call");
    expect(hexlify(found?.blockRlp as Uint8Array)).to.equal(hexlify(b.blockRlp));
    expect(hexlify(found?.witness as Uint8Array)).to.equal(hexlify(b.witness));
  });

  it("finds the block in the calldata of a call through another contract, by its header hash", () => {
    const b = blocks[0] as BuiltBlock;
    const found = findBlockBody(FORWARDER.encodeFunctionData("forward", [ROLLUP, advance(b)]), hashOf(b));
    expect(found?.via).to.equal("calldata-scan");
    expect(hexlify(found?.blockRlp as Uint8Array)).to.equal(hexlify(b.blockRlp));
  });

  it("finds each of several blocks accepted in one transaction, and only the one asked for", () => {
    const [a, b] = blocks as [BuiltBlock, BuiltBlock];
    const calldata = FORWARDER.encodeFunctionData("forwardMany", [ROLLUP, [advance(a), advance(b)]]);
    expect(hexlify(findBlockBody(calldata, hashOf(a))?.blockRlp as Uint8Array)).to.equal(hexlify(a.blockRlp));
    expect(hexlify(findBlockBody(calldata, hashOf(b))?.blockRlp as Uint8Array)).to.equal(hexlify(b.blockRlp));
  });

  it("finds nothing when the calldata holds another block (a direct advance of a different block is not taken for it)", () => {
    const [a, b] = blocks as [BuiltBlock, BuiltBlock];
    expect(findBlockBody(advance(a), hashOf(b))).to.equal(undefined);
    const forged = tamperBlock(a.block, { extraData: new Uint8Array([1]) });
    expect(scanCalldataForBlock(forged, hashOf(a))).to.deep.equal([]);
    expect(scanCalldataForBlock(new Uint8Array(64).fill(0xf9), keccak256("0x01"))).to.deep.equal([]);
  });

  /** A rollup log carrying block `b`'s bytes (or `bytes` in their place), as `advance` by a contract emits it. */
  const blockDataLog = (b: BuiltBlock, address = ROLLUP, bytes: Uint8Array = b.blockRlp) => {
    const event = OPTIMISTIC_ROLLUP_INTERFACE.getEvent("BlockData");
    if (event === null) throw new Error("no BlockData in the ABI");
    return { address, ...OPTIMISTIC_ROLLUP_INTERFACE.encodeEventLog(event, [b.block.header.number, hashOf(b), bytes]) };
  };

  it("finds the block in the rollup's BlockData log (a contract built it in memory), and only the rollup's log of that hash", () => {
    const [a, b] = blocks as [BuiltBlock, BuiltBlock];
    const logs = [blockDataLog(b), blockDataLog(a, "0x00000000000000000000000000000000000bad00"), blockDataLog(a)];
    const found = findBlockBodiesInLogs(logs, ROLLUP, hashOf(a));
    expect(found).to.have.length(1);
    expect(found[0]?.via).to.equal("event");
    expect(hexlify(found[0]?.blockRlp as Uint8Array)).to.equal(hexlify(a.blockRlp));
    // A log whose bytes are not a block with that header hash (the topic alone is not trusted).
    expect(findBlockBodiesInLogs([blockDataLog(a, ROLLUP, b.blockRlp)], ROLLUP, hashOf(a))).to.deep.equal([]);
  });

  it("takes a proposal's block and committed witness from its ProposalData log", () => {
    const b = blocks[1] as BuiltBlock;
    const event = OPTIMISTIC_ROLLUP_INTERFACE.getEvent("ProposalData");
    if (event === null) throw new Error("no ProposalData in the ABI");
    const log = {
      address: ROLLUP,
      ...OPTIMISTIC_ROLLUP_INTERFACE.encodeEventLog(event, [
        b.block.header.number,
        hashOf(b),
        b.parentHeader,
        b.blockRlp,
        b.witness,
      ]),
    };
    const [found] = findBlockBodiesInLogs([log], ROLLUP, hashOf(b));
    expect(hexlify(found?.blockRlp as Uint8Array)).to.equal(hexlify(b.blockRlp));
    expect(hexlify(found?.witness as Uint8Array)).to.equal(hexlify(b.witness));
  });

  it("passes over a decoy with the block's header and another body, and keeps the body the header commits to", async () => {
    const [a, b] = blocks as [BuiltBlock, BuiltBlock];
    // Block a's header with block b's transactions: same header hash, a body it does not commit to.
    const decoy = tamperBlock(a.block, {}, { transactions: [...b.block.transactions] });
    const calldata = FORWARDER.encodeFunctionData("forwardMany", [ROLLUP, [decoy, advance(a)]]);
    const candidates = findBlockBodies(calldata, hashOf(a));
    expect(candidates).to.have.length(2);
    expect(hexlify(candidates[0]?.blockRlp as Uint8Array)).to.equal(hexlify(decoy));
    const picked = await pickBody(candidates, a.block.common);
    expect(hexlify(picked.body.blockRlp)).to.equal(hexlify(a.blockRlp));
    expect(hexlify(picked.block.hash())).to.equal(hashOf(a));
    const error = await pickBody([candidates[0] as FoundBody], a.block.common).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.equal("its transactions do not match the header's transactions root");
  });

  /**
   * Stubs of 8 bytes, each a long list whose first item is a long list running to the end of the
   * calldata: a scan that hashes every such "header" does work quadratic in the calldata (30 KB of
   * them froze a follower's event loop for 12 s). Anyone may append them to a direct advance
   * (Solidity ignores trailing calldata) under based or fallback sequencing.
   */
  const headerStubs = (bytes: number): Uint8Array => {
    const out = new Uint8Array(bytes);
    for (let at = 0; at + 8 <= bytes; at += 8) {
      const rest = bytes - at - 4;
      out.set([0xfa, (rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff], at);
      const inner = rest - 4;
      out.set([0xfa, (inner >> 16) & 0xff, (inner >> 8) & 0xff, inner & 0xff], at + 4);
    }
    return out;
  };

  it("takes a direct call of the rollup as it is and never scans the rest of its calldata", async () => {
    const b = blocks[0] as BuiltBlock;
    const data = concat([advance(b), headerStubs(4_000)]);
    const provider = {
      getTransaction: async () => ({ data, to: ROLLUP }),
      getTransactionReceipt: async () => ({ logs: [] }),
    } as unknown as Provider;
    const found = await fetchBlockBodies(provider, ROLLUP, 1n, hashOf(b), "0x01");
    expect(found.map((f) => f.via)).to.deep.equal(["rollup-call"]);
  });

  it("hashes only header-sized candidates when it scans, so crafted calldata costs it linear work", () => {
    const b = blocks[0] as BuiltBlock;
    const stats = { hashedBytes: 0 };
    const stubs = headerStubs(40_000);
    expect(scanCalldataForBlock(stubs, hashOf(b), stats)).to.deep.equal([]);
    // At most one header-sized hash per position (before: ≈ n²/16 = 100 MB for these 40 KB).
    expect(stats.hashedBytes).to.be.at.most(stubs.length * MAX_HEADER_BYTES);
    expect(stats.hashedBytes).to.be.below(50_000_000);
    // The real block, found after the stubs, is still found.
    const found = scanCalldataForBlock(getBytes(concat([headerStubs(4_000), b.blockRlp])), hashOf(b));
    expect(found.map((f) => hexlify(f))).to.deep.equal([hexlify(b.blockRlp)]);
  });
});
