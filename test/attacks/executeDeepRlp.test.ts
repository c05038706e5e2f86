/**
 * Attack on EXECUTE's price and on L2 admission (docs/design/rlp-depth.md): RLP lists nested as deep
 * as the input's bytes allow. `@ethereumjs/rlp` decodes recursively and copies each list's payload
 * on the way down, so such an input cost CPU quadratic in its depth (until the stack overflowed)
 * while EXECUTE prices it by its bytes, and `eth_sendRawTransaction` decoded it on the node's only
 * thread. The depth is bounded before decoding; every site keeps the code it gives undecodable bytes.
 * CPU is measured with process.cpuUsage against an honest call in the same run, not against a clock.
 */
import { RLP } from "@ethereumjs/rlp";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { expect } from "chai";

import {
  type ExecutePrecompile,
  ExecuteErrorCode,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
  executeGasCost,
  executeGasCostOfBlock,
} from "../../precompiles";
import { TransactionRejectedError } from "../../rollup-node/chain/errors";
import { decodeRawTransaction } from "../../rollup-node/l2/rawTransaction";
import { deepestNestingOfSize, nestedLists, rlpListOf } from "../../tools/deepRlp";
import { callExecute } from "../../tools/executeCall";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { cpuSeconds } from "../../tools/cpuTime";

const CHAIN_ID = 906n;
/** The input size of the reported attack: about 100,000 levels. */
const ATTACK_BYTES = 390_000;
/** Deeper than any valid structure, yet shallow enough that the recursive decoder never overflows. */
const MODERATE_DEPTH = 100;

interface Fields {
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
}

/** A typed (EIP-1559) transaction whose payload is `list`: the type byte, then the list. */
function typedTx(list: Uint8Array): Uint8Array {
  return Uint8Array.from([2, ...list]);
}

describe("attack: deeply nested RLP in EXECUTE's input and in eth_sendRawTransaction", function () {
  this.timeout(600_000);
  let built: BuiltBlock;
  let headerRlp: Uint8Array;
  let execute: ExecutePrecompile;

  before(async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const senders = Array.from({ length: 20 }, (_, i) => TestSigner.fromSeed(40 + i, probe.common));
    const chain = await L2TestChain.create(
      CHAIN_ID,
      senders.map((s) => ({ address: s.address.toString(), balance: 10n ** 18n })),
    );
    built = await chain.buildBlock(
      senders.map((_, i) =>
        TestSigner.fromSeed(40 + i, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
      ),
    );
    headerRlp = RLP.encode((RLP.decode(built.blockRlp) as unknown as Uint8Array[][])[0]);
    execute = createExecutePrecompile();
  });

  /** The block with `tx` as its only transaction (the header is the honest one). */
  function blockWith(tx: Uint8Array): Uint8Array {
    return rlpListOf(Uint8Array.from([...headerRlp, ...rlpListOf(tx), 0xc0, 0xc0]));
  }

  /** Each place of the input where EXECUTE decodes RLP, with `deep` put there. */
  function sites(deep: Uint8Array): [string, Fields, number][] {
    const honest = { parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness };
    return [
      ["the witness", { ...honest, witness: deep }, ExecuteErrorCode.MalformedInput],
      ["the parent header", { ...honest, parentHeader: deep }, ExecuteErrorCode.MalformedInput],
      // The contracts accept any bytes with a header-list prefix as a posted block: invalid, not malformed.
      ["the block itself", { ...honest, block: deep }, ExecuteErrorCode.InvalidHeader],
      [
        "the block header",
        { ...honest, block: rlpListOf(Uint8Array.from([...deep, 0xc0, 0xc0, 0xc0])) },
        ExecuteErrorCode.InvalidHeader,
      ],
      ["a legacy transaction", { ...honest, block: blockWith(deep) }, ExecuteErrorCode.InvalidTransactions],
      [
        "a typed transaction",
        { ...honest, block: blockWith(RLP.encode(typedTx(deep))) },
        ExecuteErrorCode.InvalidTransactions,
      ],
    ];
  }

  /** EXECUTE on `fields` given the least gas that reaches the decoder (a witness is read after the block is priced). */
  async function run(
    fields: Fields,
    where: string,
  ): Promise<{ code?: number; reason?: string; cpu: number; gas: bigint }> {
    const data = encodeExecuteInput({ chainId: CHAIN_ID, ...fields, proofs: new Uint8Array() });
    const gasLimit =
      where === "the witness" ? executeGasCostOfBlock(data.length, fields.block) : executeGasCost(data.length, 0n);
    const start = cpuSeconds();
    const result = await callExecute(execute, data, { gasLimit });
    const cpu = cpuSeconds() - start;
    return { ...(decodeExecuteInvalid(result.returnValue) ?? {}), cpu, gas: result.executionGasUsed };
  }

  for (const [depthName, deep] of [
    [`${MODERATE_DEPTH} levels (decodes without overflowing the stack)`, () => nestedLists(MODERATE_DEPTH)],
    ["100,000 levels (past the recursive decoder's stack)", () => deepestNestingOfSize(ATTACK_BYTES)],
  ] as const) {
    it(`keeps each site's verdict code for lists nested ${depthName}`, async () => {
      for (const [where, fields, code] of sites(deep())) {
        const verdict = await run(fields, where);
        expect(verdict.code, `${where}: ${verdict.reason}`).to.equal(code);
      }
    });
  }

  it("charges a 390 kB nested input no more CPU per gas than an honest block", async () => {
    const honestFields = { parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness };
    const honestData = encodeExecuteInput({ chainId: CHAIN_ID, ...honestFields, proofs: new Uint8Array() });
    const gasLimit = executeGasCostOfBlock(honestData.length, built.blockRlp);
    await callExecute(execute, honestData, { gasLimit }); // warm-up: the verifier's first run compiles it
    const start = cpuSeconds();
    const honest = await callExecute(execute, honestData, { gasLimit });
    const honestPerGas = (cpuSeconds() - start) / Number(honest.executionGasUsed);
    expect(decodeExecuteInvalid(honest.returnValue)).to.equal(undefined);

    const deep = deepestNestingOfSize(ATTACK_BYTES);
    for (const [where, fields] of sites(deep).filter(([where]) => where !== "the witness")) {
      const attack = await run(fields, where);
      const ratio = attack.cpu / Number(attack.gas) / honestPerGas;
      expect(ratio, `${where}: ${attack.cpu.toFixed(3)} CPU s for ${attack.gas} gas`).to.be.below(1);
    }
  });

  it("eth_sendRawTransaction refuses a nested transaction as invalid, in less CPU than decoding an honest one of its size", () => {
    const probe = L2TestChain.create(CHAIN_ID, []);
    return probe.then((chain) => {
      const signer = TestSigner.fromSeed(7, chain.common);
      const honestRaw = createFeeMarket1559Tx(
        {
          chainId: CHAIN_ID,
          maxFeePerGas: 10n ** 11n,
          gasLimit: 16_000_000n,
          to: "0x00000000000000000000000000000000000000aa",
          data: new Uint8Array(ATTACK_BYTES).fill(1),
        },
        { common: chain.common },
      )
        .sign(signer.privateKey)
        .serialize();
      decodeRawTransaction(honestRaw, chain.common); // warm-up
      let start = cpuSeconds();
      decodeRawTransaction(honestRaw, chain.common);
      const honestCpu = cpuSeconds() - start;

      for (const raw of [typedTx(deepestNestingOfSize(ATTACK_BYTES)), deepestNestingOfSize(ATTACK_BYTES)]) {
        start = cpuSeconds();
        let thrown: unknown;
        try {
          decodeRawTransaction(raw, chain.common);
        } catch (error) {
          thrown = error;
        }
        const cpu = cpuSeconds() - start;
        expect(thrown).to.be.instanceOf(TransactionRejectedError);
        expect((thrown as Error).message).to.match(/^invalid transaction/);
        expect(cpu, `${cpu.toFixed(3)} CPU s against ${honestCpu.toFixed(4)} for an honest transaction`).to.be.below(
          4 * honestCpu,
        );
      }
    });
  });
});
