import { genTransactionsTrieRoot } from "@ethereumjs/block";
import { expect } from "chai";
import { AbiCoder, toQuantity } from "ethers";

import { EXECUTE_ADDRESS, executeGasCostOfBlock } from "../../precompiles";
import { attackL1, tinySignedTxs } from "../support/attackL1";
import { ecrecoverBlock } from "../../tools/heavyBlocks";
import { tamperBlock } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

/** Chain id 1: EIP-155 v is 37 or 38, one byte. EXECUTE's caller picks the chain id. */
const CHAIN_ID = 1n;
/** The smallest gas limit a header may have: EXECUTE's L2 term is then at most this. */
const MIN_GAS_LIMIT = 5_000n;
const FLOOD_TXS = 3_000;

interface Timed {
  readonly ms: number;
  readonly answer: unknown;
}

async function rpc(url: string, method: string, params: unknown[]): Promise<Timed> {
  const start = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const answer = await response.json();
  return { ms: performance.now() - start, answer };
}

function executeInput(parentHeader: Uint8Array, block: Uint8Array, witness: Uint8Array): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["uint64", "bytes", "bytes", "bytes", "bytes"],
    [CHAIN_ID, parentHeader, block, witness, "0x"],
  );
}

/**
 * Attack (EXECUTE pricing): EXECUTE charges `21,000 · transactions` for signature recovery but caps
 * that term at the header's gas limit, leaving the bytes to pay for the rest ("≥ ~110 bytes per
 * signed transfer, ~0.6× ecrecover's price", docs/design/execute-budget.md). A signed legacy
 * transaction can be 12 bytes (no `to`, no value, r and s of one byte each): 192 L1 gas per
 * recovery, 1/16 of ecrecover's 3,000. With a parent header of gas limit 5,000 (EXECUTE's caller
 * picks the parent), every transaction past the first is recovered for its bytes only, all before
 * the block runs, where EXECUTE neither yields to the event loop nor checks the eth_call deadline.
 */
describe("attack: a flood of 12-byte signed transactions under a tiny gas limit", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("is refused before any signature is recovered: no more CPU per L1 gas than the ecrecover loop, within the eth_call deadline", async () => {
    const url = l1.devnet.url as string;
    // Reference: the design's worst case, an ecrecover loop of 600k L2 gas, by eth_call.
    const loop = await ecrecoverBlock(CHAIN_ID, 1, 600_000n);
    const loopInput = executeInput(loop.parentHeader, loop.blockRlp, loop.witness);
    const loopGas = executeGasCostOfBlock((loopInput.length - 2) / 2, loop.blockRlp);
    const loopCall = await rpc(url, "eth_call", [
      { to: EXECUTE_ADDRESS, data: loopInput, gas: toQuantity(1n << 24n) },
      "latest",
    ]);
    expect(
      (loopCall.answer as { result?: string }).result,
      `the ecrecover loop block is valid: ${JSON.stringify(loopCall.answer).slice(0, 300)}`,
    ).to.match(/^0x/);
    const loopMsPerMgas = loopCall.ms / (Number(loopGas) / 1e6);

    // The flood: an empty block at the minimum gas limit, its body replaced by tiny signed transactions.
    const chain = await L2TestChain.create(CHAIN_ID, [], { gasLimit: MIN_GAS_LIMIT });
    const parent = await chain.buildBlock([], { discard: true });
    // r a small x-coordinate on the curve, s = 1, 2, …: every one recovers a (random) sender, so
    // EXECUTE's `checkTransactions` would run a full ECDSA recovery per 12 bytes of input.
    const txs = tinySignedTxs(parent.block.common, FLOOD_TXS, 37n);
    const block = tamperBlock(
      parent.block,
      { transactionsTrie: await genTransactionsTrieRoot(txs) },
      { transactions: txs },
    );
    const input = executeInput(parent.parentHeader, block, parent.witness);
    const gas = executeGasCostOfBlock((input.length - 2) / 2, block);
    const sent = performance.now();
    const call = rpc(url, "eth_call", [{ to: EXECUTE_ADDRESS, data: input, gas: toQuantity(1n << 24n) }, "latest"]);
    // The ping goes 2 s into the flood's call, or as soon as the call answers if that is sooner:
    // a call refused at once leaves nothing to wait for.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([call, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    const pingAfterMs = performance.now() - sent;
    const ping = await rpc(url, "eth_blockNumber", []);
    const flood = await call;
    const floodMsPerMgas = flood.ms / (Number(gas) / 1e6);
    const failure = (flood.answer as { error?: { data?: string } }).error?.data ?? "0x";
    const error = Buffer.from(failure.slice(2 + 8 + 64 * 3), "hex")
      .toString("utf8")
      .replace(/\0+$/, "");

    process.stderr.write(
      `      ecrecover loop: ${loopGas} L1 gas, ${loopCall.ms.toFixed(0)} ms => ${loopMsPerMgas.toFixed(0)} ms per M L1 gas\n` +
        `      flood: ${txs.length} txs of ${txs[0]?.serialize().length} B, block ${block.length} B, ${gas} L1 gas, ${flood.ms.toFixed(0)} ms => ${floodMsPerMgas.toFixed(0)} ms per M L1 gas ` +
        `(${(floodMsPerMgas / loopMsPerMgas).toFixed(1)}x the loop); answer: ${error.slice(0, 120)}\n` +
        `      eth_blockNumber sent ${(pingAfterMs / 1000).toFixed(1)} s into the flood's eth_call answered after ${ping.ms.toFixed(0)} ms\n` +
        `      extrapolated to one 2^24-gas call: ${Math.floor((16_777_216 - 105_000) / 16 / 12)} recoveries, ≈ ${((16.777 * floodMsPerMgas) / 1000).toFixed(0)} s\n`,
    );

    // What the design claims: the ecrecover loop is the worst case per L1 gas (a 1.5x margin here for noise) ...
    expect(floodMsPerMgas, "CPU per L1 gas of the flood vs the ecrecover loop").to.be.lessThan(1.5 * loopMsPerMgas);
    // ... a simulated call stops at the 5 s deadline ...
    expect(flood.ms, "eth_call duration").to.be.lessThan(l1.devnet.execute.callTimeoutMs + 1_000);
  });
});
