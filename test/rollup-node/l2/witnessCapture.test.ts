import { type HeaderData, createBlockFromRLP } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { Interface } from "ethers";

import { type Witness, encodeWitness, verifyBlock } from "../../../precompiles";
import { Chain } from "../../../rollup-node/chain/chain";
import { WitnessCaptureError } from "../../../rollup-node/chain/errors";
import type { GenesisAccount } from "../../../rollup-node/chain/genesis";
import type { MinedBlock } from "../../../rollup-node/chain/types";
import { L2_BRIDGE_ADDRESS, l2Genesis, readL2BridgeRuntimeCode } from "../../../rollup-node/l2/genesis";
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
} from "../../../tools/l2Fixtures";
import { type L1Message, hashL1Message, messageProof, messageRoot } from "../../../protocol/messages";
import { recaptureWitness } from "../../support/recaptureWitness";

const CHAIN_ID = 901n;
const GENESIS_TIME = 1_800_000_000n;
const bridgeAbi = new Interface([
  "function relayMessage((uint256 nonce, address from, address to, uint256 value, uint256 gasLimit, bytes data) message, uint64 anchorTimestamp, uint256 index, bytes32[] proof)",
]);

/** Removes entry `index` of one witness section. */
function without(witness: Witness, section: keyof Witness, index: number): Uint8Array {
  const copy = { state: [...witness.state], codes: [...witness.codes], headers: [...witness.headers] };
  copy[section].splice(index, 1);
  return encodeWitness(copy);
}

async function expectVerified(chain: Chain, mined: MinedBlock): Promise<void> {
  const block = mined.record.block;
  const parent = chain.resolveBlock(block.header.number - 1n).block;
  const witness = mined.witness as Witness;
  const params = { chainId: CHAIN_ID, parentHeader: parent.header.serialize(), block: block.serialize() };
  const result = await verifyBlock({ ...params, witness: encodeWitness(witness) });
  expect(bytesToHex(result.stateRoot)).to.equal(bytesToHex(block.header.stateRoot));
  for (const section of ["state", "codes", "headers"] as const) {
    for (let i = 0; i < witness[section].length; i++) {
      let accepted = true;
      try {
        await verifyBlock({ ...params, witness: without(witness, section, i) });
      } catch {
        accepted = false;
      }
      expect(accepted, `block ${block.header.number} verified without ${section}[${i}]`).to.equal(false);
    }
  }
}

describe("Chain witness capture", function () {
  this.timeout(60_000);

  it("records a complete and minimal witness for transfers, deploys, storage writes and deletions, BLOCKHASH, 7702 and bridge relays", async () => {
    const common = (
      await Chain.create({ genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }) })
    ).common;
    const signers = [0, 1, 2, 3].map((seed) => TestSigner.fromSeed(seed, common));
    const [alice, bob, carol, dave] = signers as [TestSigner, TestSigner, TestSigner, TestSigner];
    const storage: Record<string, `0x${string}`> = {};
    for (let slot = 1; slot <= 6; slot++) storage[`0x${word(slot)}`] = `0x${word(slot * 11)}`;
    const alloc: Record<string, GenesisAccount> = {
      [STORE_ADDRESS]: { nonce: 1n, code: STORE_AND_LOG_CODE as `0x${string}`, storage },
      [BLOCKHASH_ADDRESS]: { nonce: 1n, code: BLOCKHASH_CODE as `0x${string}` },
    };
    for (const signer of signers) alloc[signer.address.toString()] = { balance: 10n ** 21n };
    const chain = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: readL2BridgeRuntimeCode(), alloc }),
    });
    let time = GENESIS_TIME;
    const mine = async (txs: TypedTransaction[], root?: Uint8Array): Promise<MinedBlock> => {
      time += 12n;
      const mined = await chain.mineBlock(txs, { captureWitness: true, timestamp: time, parentBeaconBlockRoot: root });
      expect(mined.skipped.map((s) => s.reason)).to.deep.equal([]);
      await expectVerified(chain, mined);
      return mined;
    };

    // Transfers: to existing and fresh accounts, legacy and 1559.
    await mine([
      alice.tx({ to: bob.address.toString(), value: 5n, gasLimit: 21_000n }),
      bob.legacyTx({ to: "0x00000000000000000000000000000000000f4e51", value: 7n }),
      carol.tx({ to: alice.address.toString(), value: 1n, gasLimit: 21_000n }),
    ]);
    // A deployment and storage writes (new slots and overwrites).
    await mine([
      alice.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n }),
      bob.tx({ to: STORE_ADDRESS, data: storeCall(1, 99) }),
      bob.tx({ to: STORE_ADDRESS, data: storeCall(1000, 1) }),
    ]);
    // Storage deletions collapse branches of the storage trie (reading siblings nobody touched).
    await mine([
      carol.tx({ to: STORE_ADDRESS, data: storeCall(2, 0) }),
      carol.tx({ to: STORE_ADDRESS, data: storeCall(3, 0) }),
      carol.tx({ to: STORE_ADDRESS, data: storeCall(4, 0) }),
      carol.tx({ to: STORE_ADDRESS, data: storeCall(5, 0) }),
      carol.tx({ to: STORE_ADDRESS, data: storeCall(6, 0) }),
    ]);
    await mine([]);
    // BLOCKHASH of an old ancestor needs every header from it up to the grandparent.
    const blockhash = await mine([dave.tx({ to: BLOCKHASH_ADDRESS, data: `0x${word(1)}` })]);
    expect(blockhash.witness?.headers.length).to.equal(3);
    // EIP-7702: dave delegates to the store contract and bob calls him.
    await mine([bob.delegationTx(dave, STORE_ADDRESS, storeCall(7, 7))]);

    // Relays of L1 messages anchored by the block's parentBeaconBlockRoot (EIP-4788 on L2).
    const messages: L1Message[] = [
      {
        nonce: 0n,
        from: "0x00000000000000000000000000000000000001a1",
        to: "0x00000000000000000000000000000000000d0d0e",
        value: 10n ** 18n,
        gasLimit: 100_000n,
        data: "0x",
      },
      {
        nonce: 1n,
        from: "0x00000000000000000000000000000000000001a1",
        to: STORE_ADDRESS,
        value: 0n,
        gasLimit: 100_000n,
        data: storeCall(9, 9),
      },
    ];
    const leaves = messages.map(hashL1Message);
    const relays = messages.map((message, index) =>
      alice.tx({
        to: L2_BRIDGE_ADDRESS,
        gasLimit: 300_000n,
        data: bridgeAbi.encodeFunctionData("relayMessage", [message, time + 12n, index, messageProof(leaves, index)]),
      }),
    );
    const relayed = await mine(relays, hexToBytes(messageRoot(leaves) as `0x${string}`));
    expect(relayed.record.receipts.map((r) => r.status)).to.deep.equal([1, 1]);
    expect(await chain.getBalance(hexToBytes("0x00000000000000000000000000000000000d0d0e"))).to.equal(10n ** 18n);
  });

  it("keeps the witness within maxWitnessBytes by leaving trailing transactions for later", async () => {
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    });
    const signers = Array.from({ length: 30 }, (_, i) => TestSigner.fromSeed(100 + i, probe.common));
    const alloc: Record<string, GenesisAccount> = {};
    for (const signer of signers) alloc[signer.address.toString()] = { balance: 10n ** 20n };
    const chain = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00", alloc }),
    });
    const txs = signers.map((s, i) =>
      s.tx({ to: `0x${(0xabc000 + i).toString(16).padStart(40, "0")}`, value: 1n, gasLimit: 21_000n }),
    );
    const full = await chain.mineBlock(txs.slice(0, 10), { captureWitness: true });
    const perTx = (full.encodedWitness as Uint8Array).length / 10;
    const budget = Math.floor(perTx * 12);
    const mined = await chain.mineBlock(txs.slice(10), {
      captureWitness: true,
      maxWitnessBytes: budget,
      requiredTransactions: 2,
    });
    expect((mined.encodedWitness as Uint8Array).length).to.be.at.most(budget);
    expect(mined.record.block.transactions.length).to.be.greaterThan(2).and.lessThan(20);
    expect(mined.skipped.every((s) => s.retryable && s.reason === "block witness budget reached")).to.equal(true);
    expect(mined.skipped.length + mined.record.block.transactions.length).to.equal(20);
    await expectVerified(chain, mined);
  });

  it("refuses to witness a block whose header's receipts root, bloom, gas used or transactions root its re-execution does not give", async () => {
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    });
    const signer = TestSigner.fromSeed(200, probe.common);
    const alloc: Record<string, GenesisAccount> = {
      [signer.address.toString()]: { balance: 10n ** 20n },
      [STORE_ADDRESS]: { nonce: 1n, code: STORE_AND_LOG_CODE as `0x${string}` },
    };
    const chain = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00", alloc }),
    });
    const mined = await chain.mineBlock([signer.tx({ to: STORE_ADDRESS, data: storeCall(1, 2), gasLimit: 100_000n })], {
      captureWitness: true,
    });
    const { block } = mined.record;
    const capture = (header: Partial<HeaderData>): Promise<unknown> =>
      recaptureWitness(chain, mined, {
        block: createBlockFromRLP(tamperBlock(block, header), { common: block.common }),
      });
    // The real header's capture is the witness mineBlock recorded.
    expect(encodeWitness(await (capture({}) as Promise<Witness>))).to.deep.equal(mined.encodedWitness);
    const wrongBloom = new Uint8Array(256);
    wrongBloom[0] = 1;
    for (const [name, header] of Object.entries({
      "receipts root": { receiptTrie: hexToBytes(`0x${word(1)}`) },
      bloom: { logsBloom: wrongBloom },
      "gas used": { gasUsed: block.header.gasUsed + 1n },
      // runBlock (skipBlockValidation, generate: false) never compares this one: EXECUTE does.
      "transactions root": { transactionsTrie: hexToBytes(`0x${word(2)}`) },
    })) {
      const error = await capture(header).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, `a header with another ${name} was witnessed`).to.be.instanceOf(WitnessCaptureError);
    }
  });
});
