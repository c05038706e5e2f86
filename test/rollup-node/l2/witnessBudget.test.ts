import { readFileSync } from "node:fs";
import path from "node:path";

import { keccak_256 as keccak256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { expect } from "chai";
import { Interface } from "ethers";

import { Chain } from "../../../rollup-node/chain/chain";
import type { GenesisAccount, Hex } from "../../../rollup-node/chain/genesis";
import { maxCommittedBytes } from "../../../rollup-node/bridge/challengeBound";
import { advanceWitnessCapacity } from "../../../rollup-node/l2/advanceBudget";
import { DEFAULT_ARTIFACTS_DIR, DEFAULT_L2_GAS_LIMIT, l2Genesis } from "../../../rollup-node/l2/genesis";
import { TestSigner } from "../../../tools/l2Fixtures";
import { L2_CHAIN_ID, common } from "./l2Support";

const TOKEN = "0x00000000000000000000000000000000000070c0";
const OTHER_ACCOUNTS = 1500;

const tokenAbi = new Interface(["function transfer(address to, uint256 value) returns (bool)"]);

function filler(i: number): string {
  return bytesToHex(keccak256(new TextEncoder().encode(`filler-${i}`)).slice(12));
}

function balanceSlot(holder: string): string {
  return bytesToHex(
    keccak256(new Uint8Array([...setLengthLeft(hexToBytes(holder as Hex), 32), ...new Uint8Array(32)])),
  );
}

describe("L2 witness budget (measurement behind DEFAULT_L2_GAS_LIMIT)", function () {
  this.timeout(60_000);

  it("fits a full block of ETH or ERC-20 transfers on a state of thousands of accounts in one L1 advance", async () => {
    const tokenCode = JSON.parse(
      readFileSync(path.join(DEFAULT_ARTIFACTS_DIR, "contracts/test/BenchToken.sol/BenchToken.json"), "utf8"),
    ).deployedBytecode as Hex;
    const senders = Array.from({ length: 160 }, (_, i) => TestSigner.fromSeed(1000 + i, common));
    const alloc: Record<string, GenesisAccount> = {};
    const holdings: Record<string, Hex> = {};
    for (let i = 0; i < OTHER_ACCOUNTS; i++) {
      alloc[filler(i)] = { balance: 1n };
      holdings[balanceSlot(filler(i))] = "0x01";
    }
    for (const s of senders) {
      alloc[s.address.toString()] = { balance: 10n ** 20n };
      holdings[balanceSlot(s.address.toString())] = "0x03e8";
    }
    alloc[TOKEN] = { nonce: 1n, code: tokenCode, storage: holdings };
    const chain = await Chain.create({
      genesis: l2Genesis({
        chainId: L2_CHAIN_ID,
        timestamp: 1_800_000_000n,
        bridgeCode: "0x00",
        alloc,
        gasLimit: DEFAULT_L2_GAS_LIMIT,
      }),
    });

    const ethTransfers = senders
      .slice(0, 100)
      .map((s, i) => s.tx({ to: filler(100_000 + i), value: 1n, gasLimit: 21_000n }));
    const eth = await chain.mineBlock(ethTransfers, { captureWitness: true });
    const tokenTransfers = senders.slice(100).map((s, i) =>
      s.tx({
        to: TOKEN,
        gasLimit: 60_000n,
        data: tokenAbi.encodeFunctionData("transfer", [filler(200_000 + i), 1n]),
      }),
    );
    const token = await chain.mineBlock(tokenTransfers, { captureWitness: true });

    const perGas = (mined: typeof eth): number =>
      (mined.encodedWitness as Uint8Array).length / Number(mined.record.block.header.gasUsed);
    const ethPerTx = (eth.encodedWitness as Uint8Array).length / ethTransfers.length;
    const tokenPerTx = (token.encodedWitness as Uint8Array).length / tokenTransfers.length;
    const tokenGas = Number(token.record.block.header.gasUsed) / tokenTransfers.length;
    process.stderr.write(
      `      witness: ETH transfer ${ethPerTx.toFixed(0)} B/tx; ERC-20 transfer ${tokenPerTx.toFixed(0)} B/tx at ${tokenGas.toFixed(0)} gas/tx\n` +
        `      full ${DEFAULT_L2_GAS_LIMIT} gas block: ETH ≈ ${((perGas(eth) * Number(DEFAULT_L2_GAS_LIMIT)) / 1024).toFixed(0)} KB, ERC-20 ≈ ${((perGas(token) * Number(DEFAULT_L2_GAS_LIMIT)) / 1024).toFixed(0)} KB\n`,
    );
    // A full default block of the worst kind measured stays within what one advance carries
    // beside its body (≈ 110 B per ETH transfer, a 4M-gas block of them ≈ 21 KB).
    const worst = Math.max(perGas(eth), perGas(token)) * Number(DEFAULT_L2_GAS_LIMIT);
    expect(worst).to.be.lessThan(advanceWitnessCapacity(common, 25_000, 0, undefined, DEFAULT_L2_GAS_LIMIT));
    // ... and within what one optimistic proposal commits (parent header ≈ 620 B, body, witness)
    // when its challenge is priced at the full default gas limit (OptimisticRollup's joint rule).
    const proposalCapacity = maxCommittedBytes(DEFAULT_L2_GAS_LIMIT) - 620 - 25_000;
    process.stderr.write(
      `      at ${DEFAULT_L2_GAS_LIMIT} gas, beside a 25 KB body: an advance carries ${advanceWitnessCapacity(common, 25_000, 0, undefined, DEFAULT_L2_GAS_LIMIT)} B of witness, a proposal ${proposalCapacity} B\n`,
    );
    expect(worst).to.be.lessThan(proposalCapacity);
    expect(token.record.receipts.every((r) => r.status === 1)).to.equal(true);
  });
});
